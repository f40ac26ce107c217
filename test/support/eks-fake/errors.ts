/**
 * Errors of the fake EKS API, shaped as the real service sends them: the error name in the
 * `X-Amzn-ErrorType` header, the HTTP status of the error shape, and a JSON body with `message`
 * (plus the shape's extra members such as `clusterName`). The SDK turns these into its typed
 * exceptions (`ResourceNotFoundException`, ...).
 */

/** HTTP status of each EKS error shape (from the service model), and a few unmodelled ones. */
export const ERROR_STATUS: Readonly<Record<string, number>> = {
  AccessDeniedException: 403,
  BadRequestException: 400,
  ClientException: 400,
  InvalidParameterException: 400,
  InvalidRequestException: 400,
  InvalidStateException: 400,
  NotFoundException: 404,
  ResourceInUseException: 409,
  ResourceLimitExceededException: 400,
  ResourceNotFoundException: 404,
  ResourcePropagationDelayException: 428,
  ServerException: 500,
  ServiceUnavailableException: 503,
  ThrottlingException: 429,
  UnsupportedAvailabilityZoneException: 400,
  // Not in the EKS model; sent by the AWS front end. The SDK reports them by name.
  InternalFailure: 500,
  MissingAuthenticationTokenException: 403,
  UnknownOperationException: 404,
  SerializationException: 400,
};

/**
 * Members of each modelled error shape besides `message` (from the service model; checked against
 * the SDK's). An error body carries only the members of its shape.
 */
export const ERROR_MEMBERS: Readonly<Record<string, readonly string[]>> = {
  AccessDeniedException: [],
  BadRequestException: [],
  ClientException: ['clusterName', 'nodegroupName', 'addonName', 'subscriptionId'],
  InvalidParameterException: ['clusterName', 'nodegroupName', 'fargateProfileName', 'addonName', 'subscriptionId'],
  InvalidRequestException: ['clusterName', 'nodegroupName', 'addonName', 'subscriptionId'],
  InvalidStateException: ['clusterName'],
  NotFoundException: [],
  ResourceInUseException: ['clusterName', 'nodegroupName', 'addonName'],
  ResourceLimitExceededException: ['clusterName', 'nodegroupName', 'subscriptionId'],
  ResourceNotFoundException: ['clusterName', 'nodegroupName', 'fargateProfileName', 'addonName', 'subscriptionId'],
  ResourcePropagationDelayException: [],
  ServerException: ['clusterName', 'nodegroupName', 'addonName', 'subscriptionId'],
  ServiceUnavailableException: [],
  ThrottlingException: ['clusterName'],
  UnsupportedAvailabilityZoneException: ['clusterName', 'nodegroupName', 'validZones'],
};

/** The HTTP status for an error name (400 for a name the table does not know). */
export function statusForError(name: string): number {
  return ERROR_STATUS[name] ?? 400;
}

/** An error answer of the fake API. */
export class EksApiError extends Error {
  /** HTTP status code sent with the error. */
  public readonly status: number;
  /** Extra members of the error body, e.g. `{ clusterName: 'prod' }` (only those of the error's shape). */
  public readonly fields: Readonly<Record<string, string>>;

  constructor(name: string, message: string, fields: Record<string, string> = {}, status?: number) {
    super(message);
    this.name = name;
    this.status = status ?? statusForError(name);
    const members = ERROR_MEMBERS[name] ?? [];
    this.fields = Object.fromEntries(Object.entries(fields).filter(([k]) => members.includes(k)));
  }

  /** The JSON body the service sends. */
  public body(): Record<string, string> {
    return { ...this.fields, message: this.message };
  }
}

/**
 * The error messages of the fake, in one place. Where the real service's wording is known (from
 * public reports of its answers, cited in README.md) it is reproduced exactly; the others are the
 * fake's own wording, with the service's error name and status.
 */
export const errors = {
  clusterNotFound: (clusterName: string) =>
    new EksApiError('ResourceNotFoundException', `No cluster found for name: ${clusterName}.`, { clusterName }),
  accessEntryNotFound: (clusterName: string) =>
    new EksApiError('ResourceNotFoundException',
      "The specified principalArn could not be found. You can view your available access entries with 'list-access-entries'.",
      { clusterName }),
  accessEntryExists: (clusterName: string) =>
    new EksApiError('ResourceInUseException', 'The specified access entry resource is already in use on this cluster.', { clusterName }),
  accessEntriesNotAllowed: (clusterName: string) =>
    new EksApiError('InvalidRequestException',
      "The cluster's authentication mode must be set to one of [API, API_AND_CONFIG_MAP] to perform this operation.",
      { clusterName }),
  /** A well-formed principal IAM does not know (yet): what EKS answers while a new role propagates. */
  principalNotFound: (clusterName: string) =>
    new EksApiError('InvalidParameterException', PRINCIPAL_NOT_FOUND_MESSAGE, { clusterName }),
  /** A string that is not an IAM role or user ARN (an STS session ARN, another service's ARN, ...). */
  malformedPrincipal: (clusterName: string) =>
    new EksApiError('InvalidParameterException', 'The principalArn parameter format is not valid', { clusterName }),
  serviceLinkedRole: (clusterName: string) =>
    new EksApiError('InvalidParameterException',
      'The caller is not allowed to modify access entries with a principalArn value of a Service Linked Role', { clusterName }),
  reservedUsername: (clusterName: string, prefix: string) =>
    new EksApiError('InvalidParameterException', `The username must not begin with ${prefix}`, { clusterName }),
  reservedGroup: (clusterName: string, group: string) =>
    new EksApiError('InvalidParameterException', `The kubernetes group name ${group} is invalid, it cannot start with system:`, { clusterName }),
  standardOnly: (clusterName: string) =>
    new EksApiError('InvalidParameterException', 'This operation can only be performed on Access Entries with a type of "STANDARD".', { clusterName }),
  invalidParameter: (message: string, clusterName?: string) =>
    new EksApiError('InvalidParameterException', message, clusterName ? { clusterName } : {}),
  unsupportedModeUpdate: (clusterName: string, from: string, to: string) =>
    new EksApiError('InvalidParameterException', `Unsupported authentication mode update from ${from} to ${to}`, { clusterName }),
  invalidNextToken: () => new EksApiError('InvalidParameterException', 'The nextToken provided is invalid.'),
  /** IAM's wording for an action no identity policy allows. */
  notAuthorized: (caller: string, action: string, resource: string) =>
    new EksApiError('AccessDeniedException',
      `User: ${caller} is not authorized to perform: ${action} on resource: ${resource} because no identity-based policy allows the ${action} action`),
};

/** EKS's answer for a principal it cannot find in IAM (a new role still propagating, or none at all). */
export const PRINCIPAL_NOT_FOUND_MESSAGE = 'The specified principalArn is invalid: invalid principal.';
