/** The API's error shape (src/http/handler.ts): `{error: {code, message, field?, operationId?, ...}}`. */
export interface ApiErrorBody {
  code: string;
  message: string;
  /** The request field the error is about: `name`, `environment.PG_HOST`, `origins.1`. */
  field?: string;
  /** A busy stage's 409 names the operation that holds it. */
  operationId?: string;
  [detail: string]: unknown;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ApiErrorBody,
  ) {
    super(body.message);
    this.name = 'ApiError';
  }

  get field(): string | undefined {
    return this.body.field;
  }

  /** The running operation a 409 names, when the stage is busy. */
  get operationId(): string | undefined {
    return typeof this.body.operationId === 'string' ? this.body.operationId : undefined;
  }
}

/**
 * An error response as an ApiError: the API's own `{error}` body, or API Gateway's `{message}` (its
 * 401 and 404 come before any function), or nothing useful (a proxy's HTML page).
 */
export function toApiError(status: number, payload: unknown): ApiError {
  const body = (payload ?? {}) as { error?: Partial<ApiErrorBody>; message?: unknown };
  if (body.error && typeof body.error.message === 'string') {
    return new ApiError(status, {
      ...body.error,
      code: body.error.code ?? 'Error',
      message: body.error.message,
    });
  }
  const message =
    typeof body.message === 'string' ? body.message : `the server answered ${status} without a message`;
  return new ApiError(status, { code: status === 401 ? 'Unauthorized' : 'Error', message });
}

/**
 * Which of a form's controls an error belongs to: the longest control name that is the error's field
 * or a dotted prefix of it (`environment.PG_HOST` → the `environment` editor; `database.readReplicaOf.stage`
 * → `database.readReplicaOf.stage` if the form has that control, else `database`). Undefined when no
 * control matches: the form shows the error above its buttons instead.
 */
export function fieldFor(field: string | undefined, names: readonly string[]): string | undefined {
  if (!field) return undefined;
  let best: string | undefined;
  for (const name of names) {
    const matches = field === name || field.startsWith(`${name}.`);
    if (matches && (!best || name.length > best.length)) best = name;
  }
  return best;
}

/** A readable sentence for any error a page can meet. */
export function errorText(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof TypeError) return 'The API could not be reached: check your connection and try again.';
  return error instanceof Error ? error.message : String(error);
}
