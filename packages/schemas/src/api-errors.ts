/**
 * The stable error codes of the Management, Account and status APIs.
 *
 * A code is part of the public contract (SPEC §4): once landed it is never renamed or removed, and its
 * status never changes. Messages may be reworded; `{{name}}` placeholders are filled from the error's data.
 */
export const apiErrors = {
  'request.invalid_json': { status: 400, message: 'The request body is not valid JSON.' },
  'request.invalid_body': { status: 400, message: 'The request body is invalid.' },
  'request.invalid_query': { status: 400, message: 'The query string is invalid.' },
  'request.invalid_params': { status: 400, message: 'The path parameters are invalid.' },
  'request.body_too_large': { status: 413, message: 'The request body is too large.' },
  'request.unsupported_media_type': {
    status: 415,
    message: 'The request body must be sent as {{expected}}.',
  },
  'request.not_found': { status: 404, message: 'No route matches {{method}} {{path}}.' },
  'request.method_not_allowed': { status: 405, message: 'Method {{method}} is not allowed on {{path}}.' },
  'request.too_many_requests': { status: 429, message: 'Too many requests. Try again later.' },
  'auth.unauthorized': { status: 401, message: 'Authentication is required.' },
  'auth.forbidden': { status: 403, message: 'You are not allowed to do this.' },
  'service.unavailable': { status: 503, message: 'The service is not ready.' },
  'service.shutting_down': { status: 503, message: 'The server is shutting down.' },
  'internal.server_error': {
    status: 500,
    message: 'Something went wrong on our side. Quote request id {{requestId}} when reporting it.',
  },
} as const satisfies Record<string, { status: number; message: string }>;

export type ApiErrorCode = keyof typeof apiErrors;

/** The body every API error answers with (SPEC §4). */
export type ApiErrorBody = {
  code: ApiErrorCode;
  message: string;
  data?: unknown;
};

/** Fills `{{name}}` placeholders from `data`; unknown placeholders are left as they are. */
export const formatApiErrorMessage = (code: ApiErrorCode, data?: Record<string, unknown>): string =>
  apiErrors[code].message.replace(/\{\{(\w+)\}\}/g, (whole, name: string) => {
    const value = data?.[name];
    return value === undefined ? whole : String(value);
  });
