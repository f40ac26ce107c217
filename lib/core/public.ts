/** Version of the custom-resource payload this library writes. */
export const DESIRED_STATE_FORMAT_VERSION = 1;
