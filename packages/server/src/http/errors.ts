import { type ApiErrorCode, apiErrors, formatApiErrorMessage } from '@gatehouse/schemas';

/** An error of the Management / Account / status APIs: answered as `{code, message, data?}` (SPEC §4). */
export class ApiError extends Error {
  readonly status: number;
  constructor(
    readonly code: ApiErrorCode,
    readonly data?: Record<string, unknown>,
    /** Extra response headers, e.g. `Allow` on 405 or `Retry-After` on 429. */
    readonly headers?: Record<string, string>,
  ) {
    super(formatApiErrorMessage(code, data));
    this.name = 'ApiError';
    this.status = apiErrors[code].status;
  }
}

/** Throws `ApiError(code)` unless `condition` holds. */
export function assertApi(
  condition: unknown,
  code: ApiErrorCode,
  data?: Record<string, unknown>,
): asserts condition {
  if (!condition) throw new ApiError(code, data);
}

/**
 * An OAuth 2.0 error (RFC 6749 §5.2): answered as `{error, error_description}` with `Cache-Control: no-store`.
 * One subclass per error code, so a handler names the error it means.
 */
export class OAuthError extends Error {
  constructor(
    readonly error: string,
    readonly description: string,
    readonly status = 400,
  ) {
    super(description);
    this.name = 'OAuthError';
  }
}

export class InvalidRequest extends OAuthError {
  constructor(description: string) {
    super('invalid_request', description, 400);
  }
}

export class InvalidClient extends OAuthError {
  constructor(description = 'client authentication failed') {
    super('invalid_client', description, 401);
  }
}

export class InvalidGrant extends OAuthError {
  constructor(description = 'grant request is invalid') {
    super('invalid_grant', description, 400);
  }
}

export class UnauthorizedClient extends OAuthError {
  constructor(description = 'client is not authorized to use this grant') {
    super('unauthorized_client', description, 400);
  }
}

export class UnsupportedGrantType extends OAuthError {
  constructor(description = 'unsupported grant_type requested') {
    super('unsupported_grant_type', description, 400);
  }
}

export class InvalidScope extends OAuthError {
  constructor(description = 'requested scope is invalid') {
    super('invalid_scope', description, 400);
  }
}

export class InvalidToken extends OAuthError {
  constructor(description = 'invalid token provided') {
    super('invalid_token', description, 401);
  }
}

export class ServerError extends OAuthError {
  constructor(description = 'an unexpected error occurred') {
    super('server_error', description, 500);
  }
}
