/** Who is signed in, and the bearer token for the API (kept in memory, never in localStorage). */
export interface Session {
  user: string;
  /** The user's address where it is known (npm start: as the server sees it), to prefill a bastion's CIDR. */
  address?: string;
  token(): Promise<string | undefined>;
  signOut?: () => Promise<void>;
}
