import * as z from 'zod/mini';
import { MAX_ALLOWED_CIDRS } from '../bastion';

const ipv4Cidr = z
  .string()
  .check(
    z.regex(
      /^((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\/(3[0-2]|[12]?\d)$/,
      'must be an IPv4 CIDR such as 203.0.113.7/32',
    ),
  );

/**
 * SSH is opened to these CIDRs only. There is no default: "anywhere" is what a bastion exists to
 * avoid, and the address API Gateway sees is often a proxy's rather than the person's.
 */
export const bastionBody = z.strictObject({
  allowedCidrs: z
    .array(ipv4Cidr)
    .check(
      z.minLength(1, 'must list at least one CIDR (your address as a.b.c.d/32)'),
      z.maxLength(MAX_ALLOWED_CIDRS, `must list at most ${MAX_ALLOWED_CIDRS} CIDRs`),
    ),
});
export type BastionBody = z.infer<typeof bastionBody>;
