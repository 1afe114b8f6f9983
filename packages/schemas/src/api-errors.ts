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
  'auth.invalid_token': {
    status: 401,
    message: 'The access token is missing, malformed, expired or not for this API.',
  },
  'auth.insufficient_scope': { status: 403, message: 'The access token lacks the scope {{scope}}.' },
  'oidc.key_rotation_failed': { status: 409, message: 'The signing keys could not be rotated: {{reason}}.' },
  'service.unavailable': { status: 503, message: 'The service is not ready.' },
  'service.shutting_down': { status: 503, message: 'The server is shutting down.' },
  'internal.server_error': {
    status: 500,
    message: 'Something went wrong on our side. Quote request id {{requestId}} when reporting it.',
  },
  // The audit log (issue 6, GET /api/logs/{id}).
  'log.not_found': { status: 404, message: 'Log entry {{id}} was not found.' },
  // Management API: applications, resources and scopes, roles (SPEC §3, §4).
  'application.not_found': { status: 404, message: 'Application {{id}} was not found.' },
  'application.invalid_redirect_uri': { status: 400, message: 'Invalid redirect URI {{uri}}: {{reason}}.' },
  'application.type_immutable': { status: 400, message: 'The type of an application cannot be changed.' },
  'application.type_mismatch': {
    status: 400,
    message: 'Not possible for a {{type}} application: {{reason}}.',
  },
  'application.secret_not_found': {
    status: 404,
    message: 'Application {{id}} has no secret named {{name}}.',
  },
  'application.secret_name_taken': {
    status: 409,
    message: 'Application {{id}} already has a secret named {{name}}.',
  },
  'application.too_many_secrets': { status: 422, message: 'An application holds at most {{max}} secrets.' },
  'resource.not_found': { status: 404, message: 'API resource {{id}} was not found.' },
  'resource.indicator_taken': {
    status: 409,
    message: 'An API resource with indicator {{indicator}} exists.',
  },
  'resource.indicator_immutable': {
    status: 400,
    message: 'The indicator of an API resource cannot be changed.',
  },
  'resource.protected': { status: 403, message: 'The built-in API resource {{id}} cannot be {{action}}.' },
  'scope.not_found': { status: 404, message: 'Scope {{id}} was not found.' },
  'scope.name_taken': { status: 409, message: 'The API resource already has a scope named {{name}}.' },
  'scope.protected': { status: 403, message: 'The built-in scope {{name}} cannot be {{action}}.' },
  'role.not_found': { status: 404, message: 'Role {{id}} was not found.' },
  'role.name_taken': { status: 409, message: 'A role named {{name}} exists.' },
  'role.type_mismatch': { status: 400, message: 'Not possible for a {{type}} role: {{reason}}.' },
  'role.type_immutable': { status: 400, message: 'The type of a role cannot be changed.' },
  'role.protected': { status: 403, message: 'The built-in role {{id}} cannot be {{action}}.' },
  'role.assignment_not_found': {
    status: 404,
    message: 'Role {{roleId}} is not assigned to {{kind}} {{id}}.',
  },
  'user.not_found': { status: 404, message: 'User {{id}} was not found.' },
  'user.suspended': { status: 403, message: 'User {{id}} is suspended: nothing is done on their behalf.' },
  // Users and passwords (Management API; SECURITY-TESTS B1).
  'user.username_taken': { status: 409, message: 'The username {{username}} is already in use.' },
  'user.email_taken': { status: 409, message: 'This email is already in use.' },
  'user.phone_taken': { status: 409, message: 'This phone number is already in use.' },
  'user.identifier_required': {
    status: 400,
    message: 'A user needs at least one of username, primaryEmail or primaryPhone.',
  },
  'user.password_mismatch': { status: 422, message: 'The password does not match.' },
  'password.rejected': {
    status: 422,
    message: 'The password does not meet the password policy.',
  },
  // Sign-in experience, verification codes, email (SPEC §5).
  'sign_in_experience.invalid': {
    status: 400,
    message: 'These sign-in experience settings do not work together: {{reason}}.',
  },
  'verification_code.invalid_email': { status: 400, message: 'The email address is not valid.' },
  'verification_code.too_many_requests': {
    status: 429,
    message: 'Too many codes were requested. Try again in {{retryAfterSeconds}} seconds.',
  },
  'email.send_failed': { status: 502, message: 'The email could not be sent. Try again later.' },
  // Connectors and social identities (SPEC §6).
  'connector.not_found': { status: 404, message: 'Connector {{id}} was not found.' },
  'connector.factory_not_found': { status: 400, message: 'There is no connector factory {{connectorId}}.' },
  'connector_factory.not_found': { status: 404, message: 'Connector factory {{id}} was not found.' },
  'connector.factory_immutable': {
    status: 400,
    message: 'The factory of a connector cannot be changed; create a new connector.',
  },
  'connector.invalid_config': { status: 400, message: 'The connector config is invalid: {{reason}}.' },
  'connector.invalid_metadata': { status: 400, message: 'The connector metadata is invalid: {{reason}}.' },
  'connector.target_taken': { status: 409, message: 'A connector with the target {{target}} exists.' },
  'connector.target_immutable': {
    status: 400,
    message: 'The target of a connector cannot be changed: user identities are keyed on it.',
  },
  'connector.email_exists': {
    status: 409,
    message: 'An email connector exists already; update or delete it instead.',
  },
  'identity.not_found': { status: 404, message: 'User {{userId}} has no identity for {{target}}.' },
  'identity.taken': {
    status: 409,
    message: 'This {{target}} identity is linked to another user.',
  },
  'identity.invalid': { status: 400, message: 'The identity is invalid: {{reason}}.' },
  // Stored provider tokens (SPEC §7, issue 6).
  'identity_token.not_found': { status: 404, message: 'No provider tokens are stored for {{target}}.' },
  'identity_token.expired': {
    status: 401,
    message: 'The stored {{target}} tokens expired and cannot be refreshed: sign in with {{target}} again.',
  },
  'identity_token.refresh_failed': {
    status: 502,
    message: 'The provider {{target}} could not be reached to refresh the token. Try again later.',
  },
  // Account API (issue 6 item 3): who may call, the admin's field settings, verification records.
  'auth.first_party_only': {
    status: 403,
    message: "Only a first-party application's access token can be used with the Account API.",
  },
  'account_center.not_enabled': { status: 400, message: 'The Account API is not enabled.' },
  'account_center.field_not_editable': {
    status: 400,
    message: 'The field {{field}} cannot be changed through the Account API.',
  },
  'verification_record.permission_denied': {
    status: 401,
    message:
      'This change needs a fresh verification: send the id of a verified password or email code record in the logto-verification-id header.',
  },
  'verification_record.expired': { status: 401, message: 'The verification record expired: verify again.' },
  'verification_record.used': {
    status: 401,
    message: 'The verification record was already used: verify again.',
  },
  'verification_record.not_found': {
    status: 400,
    message: 'No verified record {{id}} of the right kind was found.',
  },
  'verification_code.mismatch': { status: 400, message: 'The code is wrong, expired or used up.' },
  'verification_code.sms_unavailable': {
    status: 501,
    message: 'Phone numbers cannot be verified: no SMS connector is available.',
  },
  'social.verification_failed': {
    status: 400,
    message: 'The sign-in at the provider could not be verified ({{reason}}).',
  },
  'identity.already_linked': {
    status: 409,
    message: 'The account already has a {{target}} identity: unlink it first.',
  },
  'identity.last_sign_in_method': {
    status: 400,
    message: 'This would leave the account without a way to sign in: add a password or an email first.',
  },
  'user.email_required': { status: 400, message: 'The sign-up settings require an email address.' },
  'user.phone_required': { status: 400, message: 'The sign-up settings require a phone number.' },
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
