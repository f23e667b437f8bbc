import { clock, previous, resourceName, type DescribeContext, type Describer, type Params } from "./params";
import { diffPolicies, parsePolicy, summarizePolicy } from "./policy-diff";

/**
 * Describers for what a task may read at start-up and at run time: IAM role policies, KMS keys, Secrets Manager
 * secrets and SSM parameters. A policy change is compared with the previous version when the snapshot holds it
 * (an earlier PutRolePolicy of the same inline policy, an earlier CreatePolicyVersion of the same managed policy,
 * an earlier PutKeyPolicy of the same key): "statement Sid AllowRead removed from the policy".
 */

/** Old → new of a policy document, or what the new one says when the old one is not in the snapshot. */
function policyChange(
  ctx: DescribeContext,
  now: unknown,
  earlier: { event: { eventTime: string }; params: Params } | undefined,
  docKey: string,
): { text: string; before?: string } {
  const after = parsePolicy(now);
  const before = earlier ? parsePolicy(earlier.params.get(docKey)) : undefined;
  if (after && before) {
    const diff = diffPolicies(before, after);
    return {
      text: diff.length > 0 ? diff.join(", ") : "same statements",
      before: `the version set at ${clock(earlier!.event.eventTime)} (${summarizePolicy(before)})`,
    };
  }
  return { text: after ? `now ${summarizePolicy(after)}` : "document replaced" };
}

const putRolePolicy: Describer = (p, ctx) => {
  const role = p.str("roleName") ?? "the role";
  const name = p.str("policyName") ?? "an inline policy";
  const earlier = previous(ctx, ["PutRolePolicy"], (q) => q.str("roleName") === role && q.str("policyName") === name);
  const change = policyChange(ctx, p.get("policyDocument"), earlier, "policyDocument");
  return {
    what: `inline policy ${name} of role ${role}: ${change.text}`,
    ...(change.before ? { before: `inline policy ${name} as ${change.before}` } : {}),
    revert: change.before
      ? `put inline policy ${name} on role ${role} back as ${change.before}`
      : `restore inline policy ${name} of role ${role} from before ${clock(ctx.event.eventTime)} (your IaC or the policy's previous PutRolePolicy)`,
  };
};

const deleteRolePolicy: Describer = (p, ctx) => {
  const role = p.str("roleName") ?? "the role";
  const name = p.str("policyName") ?? "an inline policy";
  const earlier = previous(ctx, ["PutRolePolicy"], (q) => q.str("roleName") === role && q.str("policyName") === name);
  const doc = earlier ? parsePolicy(earlier.params.get("policyDocument")) : undefined;
  return {
    what: `inline policy ${name} deleted from role ${role}`,
    before: doc ? `inline policy ${name} with ${summarizePolicy(doc)}` : `inline policy ${name} attached`,
    revert: `put inline policy ${name} back on role ${role}${earlier ? ` as set at ${clock(earlier.event.eventTime)}` : ""}`,
  };
};

function managedPolicy(attach: boolean): Describer {
  return (p) => {
    const role = p.str("roleName") ?? "the role";
    const policy = resourceName(p.str("policyArn")) ?? "a managed policy";
    return attach
      ? {
          what: `managed policy ${policy} attached to role ${role}`,
          before: `role ${role} without ${policy}`,
          revert: `detach ${policy} from role ${role}`,
        }
      : {
          what: `managed policy ${policy} detached from role ${role}`,
          before: `${policy} attached to role ${role}`,
          revert: `attach ${policy} to role ${role} again`,
        };
  };
}

const createPolicyVersion: Describer = (p, ctx) => {
  const arn = p.str("policyArn");
  const policy = resourceName(arn) ?? "a managed policy";
  const earlier = previous(ctx, ["CreatePolicyVersion"], (q) => q.str("policyArn") === arn);
  const change = policyChange(ctx, p.get("policyDocument"), earlier, "policyDocument");
  const isDefault = p.bool("setAsDefault") === true;
  return {
    what: `policy ${policy}: new ${isDefault ? "default " : ""}version, ${change.text}`,
    ...(change.before ? { before: `policy ${policy} as ${change.before}` } : {}),
    revert: `set the policy's previous version as default again (iam set-default-policy-version on ${policy})`,
  };
};

const setDefaultPolicyVersion: Describer = (p) => {
  const policy = resourceName(p.str("policyArn")) ?? "a managed policy";
  return {
    what: `policy ${policy}: default version → ${p.str("versionId") ?? "?"}`,
    revert: `set the version that was default before as default again on ${policy}`,
  };
};

const putKeyPolicy: Describer = (p, ctx) => {
  const key = resourceName(p.str("keyId")) ?? "a KMS key";
  const earlier = previous(ctx, ["PutKeyPolicy"], (q) => resourceName(q.str("keyId")) === key);
  const change = policyChange(ctx, p.get("policy"), earlier, "policy");
  return {
    what: `key policy of KMS key ${key}: ${change.text}`,
    ...(change.before ? { before: `key policy as ${change.before}` } : {}),
    revert: change.before
      ? `put the key policy of ${key} back as ${change.before}`
      : `restore the key policy of ${key} from before ${clock(ctx.event.eventTime)} (kms get-key-policy shows only the current one)`,
  };
};

const disableKey: Describer = (p) => {
  const key = resourceName(p.str("keyId")) ?? "a KMS key";
  return {
    what: `KMS key ${key} disabled`,
    before: `KMS key ${key} enabled`,
    revert: `enable KMS key ${key} (kms enable-key)`,
  };
};

const scheduleKeyDeletion: Describer = (p) => {
  const key = resourceName(p.str("keyId")) ?? "a KMS key";
  const days = p.num("pendingWindowInDays");
  return {
    what: `KMS key ${key} scheduled for deletion${days !== undefined ? ` in ${days} days` : ""} (disabled at once)`,
    before: `KMS key ${key} enabled`,
    revert: `cancel the deletion and enable the key again (kms cancel-key-deletion, then kms enable-key on ${key})`,
  };
};

const putSecretValue: Describer = (p) => {
  const secret = resourceName(p.str("secretId")) ?? "a secret";
  const stages = p.strings("versionStages");
  return {
    what: `new value for secret ${secret}${stages.length > 0 ? ` (stages ${stages.join(", ")})` : " (AWSCURRENT)"}`,
    before: `the secret's previous version as AWSCURRENT (now AWSPREVIOUS)`,
    revert: `move AWSCURRENT of ${secret} back to the AWSPREVIOUS version (secretsmanager update-secret-version-stage)`,
  };
};

const updateSecret: Describer = (p) => {
  const secret = resourceName(p.str("secretId")) ?? "a secret";
  const parts = [
    p.str("kmsKeyId") ? `KMS key → ${resourceName(p.str("kmsKeyId"))}` : undefined,
    p.has("secretString") || p.has("secretBinary") ? "new value" : undefined,
    p.has("description") ? "description" : undefined,
  ].filter(Boolean);
  return {
    what: `secret ${secret}: ${parts.join(", ") || "updated"}`,
    revert: p.str("kmsKeyId")
      ? `put secret ${secret} back on its previous KMS key (and make sure the execution role may decrypt with it)`
      : `move AWSCURRENT of ${secret} back to the AWSPREVIOUS version`,
  };
};

const deleteSecret: Describer = (p) => {
  const secret = resourceName(p.str("secretId")) ?? "a secret";
  const force = p.bool("forceDeleteWithoutRecovery") === true;
  const days = p.num("recoveryWindowInDays") ?? 30;
  return {
    what: force
      ? `secret ${secret} deleted without recovery`
      : `secret ${secret} scheduled for deletion (recovery window ${days} days)`,
    before: `secret ${secret} readable`,
    revert: force
      ? `create secret ${secret} again with its value`
      : `restore secret ${secret} (secretsmanager restore-secret)`,
  };
};

const secretPolicy: Describer = (p, ctx) => {
  const secret = resourceName(p.str("secretId")) ?? "a secret";
  const deleted = ctx.event.eventName === "DeleteResourcePolicy";
  return {
    what: deleted ? `resource policy of secret ${secret} deleted` : `resource policy of secret ${secret} replaced`,
    revert: `restore the resource policy of ${secret} from before ${clock(ctx.event.eventTime)}`,
  };
};

const putParameter: Describer = (p) => {
  const name = p.str("name") ?? "a parameter";
  return {
    what: `SSM parameter ${name} ${p.bool("overwrite") ? "overwritten" : "written"}`,
    revert: `put the previous version of ${name} back (ssm get-parameter-history shows it)`,
  };
};

const deleteParameter: Describer = (p) => {
  const names = [p.str("name"), ...p.strings("names")].filter((n): n is string => Boolean(n));
  return {
    what: `SSM parameter${names.length === 1 ? "" : "s"} ${names.join(", ") || "?"} deleted`,
    revert: `create the parameter${names.length === 1 ? "" : "s"} again with the same name, type and KMS key`,
  };
};

export const ACCESS_DESCRIBERS: Readonly<Record<string, Describer>> = {
  PutRolePolicy: putRolePolicy,
  DeleteRolePolicy: deleteRolePolicy,
  AttachRolePolicy: managedPolicy(true),
  DetachRolePolicy: managedPolicy(false),
  CreatePolicyVersion: createPolicyVersion,
  SetDefaultPolicyVersion: setDefaultPolicyVersion,
  PutKeyPolicy: putKeyPolicy,
  DisableKey: disableKey,
  ScheduleKeyDeletion: scheduleKeyDeletion,
  PutSecretValue: putSecretValue,
  UpdateSecret: updateSecret,
  DeleteSecret: deleteSecret,
  PutResourcePolicy: secretPolicy,
  DeleteResourcePolicy: secretPolicy,
  PutParameter: putParameter,
  DeleteParameter: deleteParameter,
  DeleteParameters: deleteParameter,
};
