// The diagnosis' read-only IAM permissions, in one place. serverless.yml takes the worker's read statements from
// here (`${file(./iam/diagnose-policy.cjs):…}`), and iam/diagnose-readonly.json — the policy for people who run the
// CLI — is generated from the same list: `npm run iam:policy` (test/aws/iam-policy.test.ts checks it is current).
//
// Where AWS supports resource-level permissions for an action (the Service Authorization Reference lists a required
// resource type), the statement names the resource type's ARNs instead of "*"; test/deploy/iam-proof.test.ts checks
// this against the reference's data. CloudWatch Logs are readable only under the configured log-group prefixes
// (iam/scope.json, default /ecs/ and /aws/ecs/, or ECS_MEDIC_LOG_GROUP_PREFIXES="/ecs/,/team/" at package time).
"use strict";
const { readFileSync, writeFileSync } = require("node:fs");
const { join } = require("node:path");

/** Actions the collectors call (src/collect, `awsCall("service:Action", …)`), by the resources they are scoped to. */
const READS = {
  // No resource-level permissions: AWS evaluates these against "*".
  unscoped: [
    "ecs:ListClusters",
    "ecs:ListServices",
    "ecs:DescribeTaskDefinition",
    // The reference names container-instance for ListTasks, but a service's tasks (Fargate has no container
    // instance) are listed against "*": AWS's own examples scope it with the ecs:cluster condition, not a resource.
    "ecs:ListTasks",
    "elasticloadbalancing:DescribeTargetGroups",
    "elasticloadbalancing:DescribeTargetHealth",
    "elasticloadbalancing:DescribeLoadBalancers",
    "ec2:DescribeSubnets",
    "ec2:DescribeSecurityGroups",
    // Step 10: what the service's subnets route through (route tables, NAT gateways, VPC endpoints), whose changes
    // CloudTrail is searched for. One call each (two DescribeRouteTables when a subnet uses the main table).
    "ec2:DescribeRouteTables",
    "ec2:DescribeVpcEndpoints",
    "cloudtrail:LookupEvents",
    // Metrics have no resource type (only the optional `dataset`, which the diagnosis does not read).
    "cloudwatch:GetMetricData",
  ],
  ecs: [
    "ecs:DescribeServices",
    "ecs:DescribeTasks",
    "ecs:ListServiceDeployments",
    "ecs:DescribeServiceDeployments",
    "ecs:DescribeServiceRevisions",
  ],
  ecr: ["ecr:DescribeImages", "ecr:DescribeRepositories"],
  logs: ["logs:GetLogEvents", "logs:FilterLogEvents"],
};

const ECS_RESOURCES = ["service/*", "task/*", "service-deployment/*", "service-revision/*"];
const ECR_RESOURCES = ["repository/*"];

/** The configured log-group prefixes: ECS_MEDIC_LOG_GROUP_PREFIXES (comma-separated) or iam/scope.json. */
function logGroupPrefixes(env = process.env) {
  const fromEnv = (env.ECS_MEDIC_LOG_GROUP_PREFIXES ?? "").trim();
  const prefixes = fromEnv
    ? fromEnv.split(",").map((p) => p.trim())
    : JSON.parse(readFileSync(join(__dirname, "scope.json"), "utf8")).logGroupPrefixes;
  if (!Array.isArray(prefixes) || prefixes.length === 0) throw new Error("at least one log-group prefix is needed");
  for (const p of prefixes) {
    // CloudWatch Logs group names: letters, digits, '_', '-', '/', '.', '#'. No wildcard: a prefix is a prefix.
    if (typeof p !== "string" || !/^[A-Za-z0-9_\-/.#]{1,512}$/.test(p)) {
      throw new Error(`log-group prefix ${JSON.stringify(p)} is not a log-group name prefix (no "*", no spaces)`);
    }
  }
  return prefixes;
}

/**
 * The read statements. `arn(service, resource)` builds one resource ARN: with `${AWS::…}` for CloudFormation,
 * with `*` for region and account in the standalone JSON policy.
 */
function readStatements(arn, prefixes) {
  return [
    { Sid: "EcsMedicReadUnscoped", Effect: "Allow", Action: READS.unscoped, Resource: "*" },
    {
      Sid: "EcsMedicReadEcs",
      Effect: "Allow",
      Action: READS.ecs,
      Resource: ECS_RESOURCES.map((r) => arn("ecs", r)),
    },
    {
      Sid: "EcsMedicReadEcr",
      Effect: "Allow",
      Action: READS.ecr,
      Resource: ECR_RESOURCES.map((r) => arn("ecr", r)),
    },
    {
      Sid: "EcsMedicReadTaskLogs",
      Effect: "Allow",
      Action: READS.logs,
      // `*` spans the ':log-stream:…' part, so one pattern covers FilterLogEvents (log group) and GetLogEvents
      // (log stream).
      Resource: prefixes.map((p) => arn("logs", `log-group:${p}*`)),
    },
  ];
}

const cloudFormationArn = (service, resource) => ({
  "Fn::Sub": `arn:\${AWS::Partition}:${service}:\${AWS::Region}:\${AWS::AccountId}:${resource}`,
});
const anyAccountArn = (service, resource) => `arn:aws:${service}:*:*:${resource}`;

/** iam/diagnose-readonly.json: attach to the role or user that runs `ecs-medic diagnose`. */
function policyDocument(env = process.env) {
  return { Version: "2012-10-17", Statement: readStatements(anyAccountArn, logGroupPrefixes(env)) };
}

const prefixes = logGroupPrefixes();
const [unscopedReads, ecsReads, ecrReads, logReads] = readStatements(cloudFormationArn, prefixes);

module.exports = {
  READS,
  logGroupPrefixes,
  readStatements,
  policyDocument,
  // For serverless.yml (CloudFormation form, this account and region only).
  unscopedReads,
  ecsReads,
  ecrReads,
  logReads,
  logGroupPrefixesText: prefixes.join(","),
};

if (require.main === module) {
  const file = join(__dirname, "diagnose-readonly.json");
  writeFileSync(file, `${JSON.stringify(policyDocument(), null, 2)}\n`);
  console.log(`wrote ${file} (log groups under ${prefixes.join(", ")})`);
}
