/**
 * Typed domain errors. The HTTP layer maps each to a status; only these (all < 500) expose their
 * message to the caller, everything else becomes an opaque 500.
 */
export class DomainError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = code;
  }
}

export const badRequest = (field: string, message: string) =>
  new DomainError(400, 'ValidationError', message, { field });
export const notFound = (what: string) => new DomainError(404, 'NotFound', `${what} not found`);
export const conflict = (message: string, details: Record<string, unknown> = {}) =>
  new DomainError(409, 'Conflict', message, details);
