/**
 * The AWS settings of a child process (the built CLI, a bundle probe) that must never reach real AWS, whatever the
 * developer's machine holds: fake credentials, no instance metadata, one region, no SDK version banner. Callers add
 * their endpoints (moto_server, a loopback stand-in).
 */
export const OFFLINE_AWS_ENV = {
  AWS_REGION: "us-east-1",
  AWS_ACCESS_KEY_ID: "testing",
  AWS_SECRET_ACCESS_KEY: "testing",
  AWS_EC2_METADATA_DISABLED: "true",
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
} as const;
