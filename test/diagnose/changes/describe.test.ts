import { describe, expect, it } from "vitest";
import { describeChange } from "../../../src/diagnose/changes/describe";
import { ACCOUNT, changeEvent, evidence, REGION } from "../checks/fixture";

const KEY_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const POLICY_ARN = `arn:aws:iam::${ACCOUNT}:policy/payment-api-secrets`;
const doc = (...sids: string[]) =>
  JSON.stringify({
    Version: "2012-10-17",
    Statement: sids.map((Sid) => ({ Sid, Effect: "Allow", Action: "kms:Decrypt", Resource: "*" })),
  });

/** Request parameters as CloudTrail records each call (see test/fixtures/cloudtrail-changes.ts for sources). */
const cases: Array<{ name: string; params: Record<string, unknown>; what: string; revert: RegExp }> = [
  {
    name: "AuthorizeSecurityGroupIngress",
    params: {
      groupId: "sg-0task000000000001",
      ipPermissions: {
        items: [{ ipProtocol: "tcp", fromPort: 0, toPort: 65535, ipRanges: { items: [{ cidrIp: "0.0.0.0/0" }] } }],
      },
    },
    what: "ingress tcp/0-65535 from 0.0.0.0/0 authorized on sg-0task000000000001",
    revert: /^revoke ingress tcp\/0-65535 from 0\.0\.0\.0\/0 on sg-0task000000000001$/,
  },
  {
    name: "RevokeSecurityGroupIngress",
    params: {
      groupId: "sg-0task000000000001",
      securityGroupRuleIds: { items: [{ securityGroupRuleId: "sgr-0abc1234" }] },
    },
    what: "ingress rule sgr-0abc1234 revoked on sg-0task000000000001",
    revert: /authorize ingress rule sgr-0abc1234/,
  },
  {
    name: "ReplaceRoute",
    params: {
      routeTableId: "rtb-0main000000000001",
      destinationCidrBlock: "0.0.0.0/0",
      gatewayId: "igw-0a1b2c3d4e5f60001",
    },
    what: "route 0.0.0.0/0 in rtb-0main000000000001: → igw-0a1b2c3d4e5f60001",
    revert: /as it was before/,
  },
  {
    name: "ModifyVpcEndpoint",
    params: {
      ModifyVpcEndpointRequest: {
        VpcEndpointId: "vpce-0ecrdkr00000000001",
        RemoveSecurityGroupId: { tag: 1, content: "sg-0endpoint00000001" },
        PrivateDnsEnabled: false,
      },
    },
    what: "VPC endpoint vpce-0ecrdkr00000000001: security group sg-0endpoint00000001 removed, private DNS turned off",
    revert: /^on vpce-0ecrdkr00000000001: security group sg-0endpoint00000001 added back, private DNS turned on$/,
  },
  {
    name: "DetachRolePolicy",
    params: { roleName: "payment-api-execution", policyArn: POLICY_ARN },
    what: "managed policy payment-api-secrets detached from role payment-api-execution",
    revert: /^attach payment-api-secrets to role payment-api-execution again$/,
  },
  {
    name: "DeleteRolePolicy",
    params: { roleName: "payment-api-task", policyName: "orders-queue" },
    what: "inline policy orders-queue deleted from role payment-api-task",
    revert: /^put inline policy orders-queue back on role payment-api-task$/,
  },
  {
    name: "CreatePolicyVersion",
    params: { policyArn: POLICY_ARN, policyDocument: doc("AllowDecrypt"), setAsDefault: true },
    what: "policy payment-api-secrets: new default version, now 1 statement: Sid AllowDecrypt (Allow kms:Decrypt)",
    revert: /set-default-policy-version/,
  },
  {
    name: "PutKeyPolicy",
    params: { keyId: KEY_ARN, policyName: "default", policy: doc("Enable IAM User Permissions") },
    what: "key policy of KMS key 1234abcd-12ab-34cd-56ef-1234567890ab: now 1 statement: Sid Enable IAM User Permissions (Allow kms:Decrypt)",
    revert: /get-key-policy shows only the current one/,
  },
  {
    name: "DisableKey",
    params: { keyId: KEY_ARN },
    what: "KMS key 1234abcd-12ab-34cd-56ef-1234567890ab disabled",
    revert: /^enable KMS key 1234abcd-12ab-34cd-56ef-1234567890ab/,
  },
  {
    name: "UpdateSecret",
    params: { secretId: "prod/payment-api/db", kmsKeyId: KEY_ARN },
    what: "secret prod/payment-api/db: KMS key → 1234abcd-12ab-34cd-56ef-1234567890ab",
    revert: /previous KMS key/,
  },
  {
    name: "DeleteSecret",
    params: { secretId: "prod/payment-api/db", recoveryWindowInDays: 7 },
    what: "secret prod/payment-api/db scheduled for deletion (recovery window 7 days)",
    revert: /restore-secret/,
  },
  {
    name: "ModifyTargetGroup",
    params: {
      targetGroupArn: `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:targetgroup/payment-api-tg/0123456789abcdef`,
      healthCheckPath: "/ready",
      matcher: { httpCode: "200-299" },
    },
    what: "target group payment-api-tg: health-check path → /ready, success codes → 200-299",
    revert: /health-check settings/,
  },
  {
    name: "PutImage",
    params: {
      repositoryName: "payment-api",
      imageTag: "latest",
      imageManifestMediaType: "application/vnd.docker.distribution.manifest.v2+json",
    },
    what: "tag latest of repository payment-api → a new image (a mutable tag moves)",
    revert: /deploy by digest/,
  },
  {
    name: "PutImageTagMutability",
    params: { repositoryName: "payment-api", imageTagMutability: "MUTABLE" },
    what: "repository payment-api tags IMMUTABLE → MUTABLE",
    revert: /^set payment-api's tags to IMMUTABLE again$/,
  },
  {
    name: "TagResource",
    params: { resourceArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:service/prod/payment-api`, tags: [] },
    what: "TagResource",
    revert: /^undo TagResource$/,
  },
];

describe("describeChange: old → new by event family", () => {
  it.each(cases)("$name", ({ name, params, what, revert }) => {
    const event = changeEvent({ eventName: name, requestParameters: params });
    const described = describeChange(event, [event], evidence(), {});
    expect(described.what).toBe(what);
    expect(described.revert).toMatch(revert);
  });

  it("a policy version compared with the previous one names the statement removed", () => {
    const older = changeEvent({
      eventId: "older",
      eventName: "CreatePolicyVersion",
      eventTime: "2026-11-26T08:00:00Z",
      requestParameters: { policyArn: POLICY_ARN, policyDocument: doc("AllowRead", "AllowDecrypt") },
    });
    const newer = changeEvent({
      eventName: "CreatePolicyVersion",
      requestParameters: { policyArn: POLICY_ARN, policyDocument: doc("AllowDecrypt"), setAsDefault: true },
    });
    const described = describeChange(newer, [newer, older], evidence(), {});
    expect(described.what).toBe("policy payment-api-secrets: new default version, statement Sid AllowRead removed");
    expect(described.before).toMatch(/^policy payment-api-secrets as the version set at 08:00Z \(2 statements/);
  });

  it("a deployment rolled back names what runs again as the state before, not an older known-good revision", () => {
    // The service runs payment-api:43 (current) after ECS rolled back the deployment of :44; :42 is older still.
    const event = changeEvent({
      eventName: "UpdateService",
      requestParameters: { cluster: "prod", service: "payment-api", taskDefinition: "payment-api:44" },
    });
    const described = describeChange(event, [event], evidence(), { previousTaskDefinition: "payment-api:42" });
    expect(described.what).toBe("service payment-api: task definition payment-api:43 → payment-api:44");
    expect(described.revert).toBe("roll back to payment-api:43");
  });

  it("a call without a describer is named by the resource it touched", () => {
    const listenerArn = `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:listener/app/prod-alb/50dc6c495c0c9188/f2f7dc8efc522ab2`;
    const event = changeEvent({ eventName: "DeleteListener", requestParameters: { listenerArn } });
    expect(describeChange(event, [event], evidence(), {})).toEqual({
      what: "DeleteListener on prod-alb",
      revert: "undo DeleteListener on prod-alb",
    });
  });
});
