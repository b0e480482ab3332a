import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TENANT_ID } from '../../domain/ids';
import { EMAIL, TENANT_CLAIM, USER_ID } from '../../domain/caller';
import { signToken } from '../jwt';
import { runningServerUrl } from '../server-file';

/**
 * `npm run token -- <tenant> [user] [email]`: a bearer token for a local tenant and user, signed with
 * the running server's key; with an email, the token carries it (verified), as a Cognito ID token
 * does, so an approval policy can tell who the user is (a listed approver, or the change's author).
 */
const [tenantId = 'local', userId = `${tenantId}-user`, email] = process.argv.slice(2);
const dataDir = process.env.TINYSTACKS_DATA_DIR ?? '.tinystacks';
const secretFile = join(dataDir, 'jwt-secret');
if (!TENANT_ID.test(tenantId)) {
  process.stderr.write('tenant must be 1-64 letters, digits, _ or -, starting with a letter\n');
  process.exit(2);
}
if (!USER_ID.test(userId)) {
  process.stderr.write('user must be 1-255 characters without spaces or control characters\n');
  process.exit(2);
}
if (email !== undefined && !EMAIL.test(email)) {
  process.stderr.write(`${email} is not an email address\n`);
  process.exit(2);
}
if (!existsSync(secretFile)) {
  process.stderr.write(
    `no ${secretFile}: start the server with \`npm start\` first (a --memory server prints its own token)\n`,
  );
  process.exit(1);
}
const secret = readFileSync(secretFile, 'utf8').trim();
process.stdout.write(
  `${signToken(secret, { sub: userId, tenantClaim: TENANT_CLAIM, tenantId, ...(email ? { email } : {}) })}\n`,
);
// Where to use it (stderr, so that TOKEN=$(npm run -s token -- acme) stays the token alone).
process.stderr.write(
  `a token of tenant ${tenantId} for ${runningServerUrl(dataDir, process.env)} (user ${userId}${email ? `, ${email}` : ''})\n`,
);
