import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { inflateRawSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { environmentOf, SERVICE, STAGE, type CfnResource, type Statement, type Template } from "./package-stack";
import { sharedPackage } from "./shared-package";

/**
 * Packages the service with osls exactly as CI would deploy it (`sls package`, offline, no AWS credentials) and
 * checks the CloudFormation template: per-function least-privilege roles, the worker's read-only AWS actions equal
 * iam/diagnose-readonly.json, the public function URL, runtime and architecture, the table, and the zips' content.
 * Packaging takes ~10 s (esbuild of every handler included): it runs once per test run (sharedPackage), for this
 * file and iam-proof.test.ts.
 */

const HANDLER_SOURCES = ["src/handlers/slack.ts", "src/handlers/worker.ts", "src/handlers/alarm.ts"];
const missing = HANDLER_SOURCES.filter((file) => !existsSync(file));
const asArray = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);
const actionsOf = (statements: Statement[]) => statements.flatMap((s) => asArray(s.Action));
const text = (value: unknown) => JSON.stringify(value);

/** File name → content of each entry of a zip (stored or deflated; enough for what osls writes). */
function readZip(file: string): Map<string, Buffer> {
  const zip = readFileSync(file);
  let eocd = zip.length - 22;
  while (eocd >= 0 && zip.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  if (eocd < 0) throw new Error(`${file} is not a zip`);
  const entries = new Map<string, Buffer>();
  let at = zip.readUInt32LE(eocd + 16);
  for (let i = 0, count = zip.readUInt16LE(eocd + 10); i < count; i++) {
    const method = zip.readUInt16LE(at + 10);
    const compressedSize = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const localHeader = zip.readUInt32LE(at + 42);
    const name = zip.toString("utf8", at + 46, at + 46 + nameLength);
    const dataStart = localHeader + 30 + zip.readUInt16LE(localHeader + 26) + zip.readUInt16LE(localHeader + 28);
    const data = zip.subarray(dataStart, dataStart + compressedSize);
    entries.set(name, method === 8 ? inflateRawSync(data) : Buffer.from(data));
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

describe.skipIf(missing.length > 0)(
  `sls package (osls, offline)${missing.length ? ` — skipped: ${missing.join(", ")} not written yet` : ""}`,
  () => {
    let packageDir = "";
    let template: Template;
    let resources: Record<string, CfnResource>;

    const statementsOf = (roleId: string): Statement[] =>
      (resources[roleId]!.Properties.Policies as { PolicyDocument: { Statement: Statement[] } }[]).flatMap(
        (p) => p.PolicyDocument.Statement,
      );
    /** The plugin's own statement: write the function's own log group, nothing else. */
    const isOwnLogWriting = (s: Statement, fn: string) =>
      actionsOf([s]).every((a) => ["logs:CreateLogStream", "logs:CreateLogGroup", "logs:PutLogEvents"].includes(a)) &&
      asArray(s.Resource).every((r) => text(r).includes(`log-group:/aws/lambda/${SERVICE}-${STAGE}-${fn}:`));
    const ssmParameterArn = (name: string) => ({
      "Fn::Sub": `arn:\${AWS::Partition}:ssm:\${AWS::Region}:\${AWS::AccountId}:parameter/ecs-medic/${STAGE}/slack/${name}`,
    });
    /** SecureStrings under the AWS-managed key: decrypt only through SSM, only with alias/aws/ssm. */
    const kmsDecryptViaSsm: Statement = {
      Effect: "Allow",
      Action: ["kms:Decrypt"],
      Resource: [{ "Fn::Sub": "arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/*" }],
      Condition: {
        StringEquals: { "kms:ViaService": { "Fn::Sub": "ssm.${AWS::Region}.amazonaws.com" } },
        "ForAnyValue:StringEquals": { "kms:ResourceAliases": "alias/aws/ssm" },
      },
    };
    const isKmsDecryptViaSsmOnly = (s: Statement) =>
      text(s.Action) === text(["kms:Decrypt"]) &&
      text(s.Condition?.["StringEquals"]?.["kms:ViaService"]).includes("ssm.${AWS::Region}.amazonaws.com") &&
      text(s.Condition?.["ForAnyValue:StringEquals"]?.["kms:ResourceAliases"]) === text("alias/aws/ssm");

    beforeAll(async () => {
      ({ dir: packageDir, template } = await sharedPackage());
      resources = template.Resources;
    }, 180_000);

    it("runs every function on nodejs22.x / arm64 with their timeouts", () => {
      const functions = Object.entries(resources).filter(([, r]) => r.Type === "AWS::Lambda::Function");
      expect(functions.map(([id]) => id).sort()).toEqual([
        "ActionsLambdaFunction",
        "AlarmLambdaFunction",
        "SlackLambdaFunction",
        "WorkerLambdaFunction",
      ]);
      for (const [, fn] of functions) {
        expect(fn.Properties.Runtime).toBe("nodejs22.x");
        expect(fn.Properties.Architectures).toEqual(["arm64"]);
      }
      expect(resources.SlackLambdaFunction!.Properties.Handler).toBe("dist/handlers/slack.handler");
      expect(resources.WorkerLambdaFunction!.Properties.Handler).toBe("dist/handlers/worker.handler");
      expect(resources.SlackLambdaFunction!.Properties.Timeout).toBe(10);
      expect(resources.WorkerLambdaFunction!.Properties.Timeout).toBe(300);
      expect(resources.ActionsLambdaFunction!.Properties.Handler).toBe("dist/handlers/actions.handler");
      expect(resources.ActionsLambdaFunction!.Properties.Timeout).toBe(300);
    });

    it("gives each function its own role, and creates no shared one", () => {
      const roles = Object.entries(resources).filter(([, r]) => r.Type === "AWS::IAM::Role");
      expect(roles.map(([id]) => id).sort()).toEqual([
        "ActionsIamRoleLambdaExecution",
        "AlarmIamRoleLambdaExecution",
        "SlackIamRoleLambdaExecution",
        "WorkerIamRoleLambdaExecution",
      ]);
      expect(resources.IamRoleLambdaExecution).toBeUndefined();
      expect(resources.SlackIamRoleLambdaExecution?.Type).toBe("AWS::IAM::Role");
      expect(resources.WorkerIamRoleLambdaExecution?.Type).toBe("AWS::IAM::Role");
      expect(resources.SlackLambdaFunction!.Properties.Role).toEqual({
        "Fn::GetAtt": ["SlackIamRoleLambdaExecution", "Arn"],
      });
      expect(resources.WorkerLambdaFunction!.Properties.Role).toEqual({
        "Fn::GetAtt": ["WorkerIamRoleLambdaExecution", "Arn"],
      });
      expect(resources.ActionsLambdaFunction!.Properties.Role).toEqual({
        "Fn::GetAtt": ["ActionsIamRoleLambdaExecution", "Arn"],
      });
      expect(resources.AlarmLambdaFunction!.Properties.Role).toEqual({
        "Fn::GetAtt": ["AlarmIamRoleLambdaExecution", "Arn"],
      });
      for (const role of [
        "SlackIamRoleLambdaExecution",
        "WorkerIamRoleLambdaExecution",
        "ActionsIamRoleLambdaExecution",
        "AlarmIamRoleLambdaExecution",
      ]) {
        expect(resources[role]!.Properties.ManagedPolicyArns ?? []).toEqual([]);
      }
    });

    it("lets the slack function invoke only the worker and the actions function and read only the signing secret and the button key (never the bot token)", () => {
      const statements = statementsOf("SlackIamRoleLambdaExecution");
      const rest = statements.filter((s) => !isOwnLogWriting(s, "slack"));
      expect(rest).toEqual([
        {
          Effect: "Allow",
          Action: ["lambda:InvokeFunction"],
          Resource: [
            { "Fn::GetAtt": ["WorkerLambdaFunction", "Arn"] },
            { "Fn::GetAtt": ["ActionsLambdaFunction", "Arn"] },
          ],
        },
        {
          Effect: "Allow",
          Action: ["ssm:GetParameter"],
          Resource: [ssmParameterArn("signing-secret"), ssmParameterArn("action-key")],
        },
        kmsDecryptViaSsm,
        // The access audit: refusals written to the table, only under access# keys.
        {
          Effect: "Allow",
          Action: ["dynamodb:PutItem"],
          Resource: [{ "Fn::GetAtt": ["EcsMedicTable", "Arn"] }],
          Condition: { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": ["access#*"] } },
        },
      ]);
      expect(isKmsDecryptViaSsmOnly(rest[2]!)).toBe(true);
      expect(text(rest)).not.toContain("bot-token");
      expect(text(rest)).not.toContain('"Resource":"*"');
    });

    it("grants the worker exactly iam/diagnose-readonly.json's read-only actions, nothing that mutates", () => {
      const policy = JSON.parse(readFileSync("iam/diagnose-readonly.json", "utf8")) as { Statement: Statement[] };
      const expected = actionsOf(policy.Statement).sort();
      const statements = statementsOf("WorkerIamRoleLambdaExecution").filter((s) => !isOwnLogWriting(s, "worker"));
      expect(statements.every((s) => s.Effect === "Allow")).toBe(true);
      const diagnosis = actionsOf(statements)
        .filter((a) => /^(ecs|elasticloadbalancing|ec2|logs|ecr|cloudtrail|cloudwatch):/.test(a))
        .sort();
      expect(diagnosis).toEqual(expected);
      expect(diagnosis.filter((a) => !/:(Describe|List|Get|Lookup|Filter)/.test(a))).toEqual([]);
      for (const mutating of [
        "ecs:UpdateService",
        "ecs:StopTask",
        "ecs:RunTask",
        "ecs:RegisterTaskDefinition",
        "ecs:*",
        "*",
      ]) {
        expect(actionsOf(statements)).not.toContain(mutating);
      }
      // Everything else the worker may do, each statement exactly, each on its own resource.
      const others = statements.filter((s) => actionsOf([s]).some((a) => !expected.includes(a)));
      expect(others).toEqual([
        // The idempotency claim (conditional PutItem, then UpdateItems), the incident record and the archive's Query.
        {
          Effect: "Allow",
          Action: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Query"],
          Resource: [{ "Fn::GetAtt": ["EcsMedicTable", "Arn"] }],
        },
        {
          Effect: "Allow",
          Action: ["ssm:GetParameter"],
          Resource: [ssmParameterArn("bot-token"), ssmParameterArn("action-key")],
        },
        kmsDecryptViaSsm,
        {
          Effect: "Allow",
          Action: ["sqs:SendMessage"],
          Resource: [{ "Fn::GetAtt": ["WorkerFailedJobsQueue", "Arn"] }],
        },
      ]);
      expect(text(others)).not.toContain("signing-secret");
      expect(text(others)).not.toContain('"Resource":"*"');
    });

    it("grants the actions function exactly iam/actions.json's actions: the only role with UpdateService and RegisterScalableTarget, scoped", () => {
      const policy = JSON.parse(readFileSync("iam/actions.json", "utf8")) as { Statement: Statement[] };
      const statements = statementsOf("ActionsIamRoleLambdaExecution").filter((s) => !isOwnLogWriting(s, "actions"));
      const aws = actionsOf(statements)
        .filter((a) => /^(ecs|ec2|ecr|application-autoscaling):/.test(a))
        .sort();
      expect(aws).toEqual(actionsOf(policy.Statement).sort());
      const mutations = ["ecs:UpdateService", "application-autoscaling:RegisterScalableTarget"];
      for (const m of mutations) {
        const granting = statements.filter((s) => actionsOf([s]).includes(m));
        expect(granting).toHaveLength(1);
        expect(text(granting)).not.toContain('"Resource":"*"');
      }
      for (const role of ["SlackIamRoleLambdaExecution", "WorkerIamRoleLambdaExecution"])
        for (const m of mutations) expect(actionsOf(statementsOf(role))).not.toContain(m);
    });

    it("exposes only the slack function through a public URL, with both permissions a URL needs", () => {
      const urls = Object.values(resources).filter((r) => r.Type === "AWS::Lambda::Url");
      expect(urls).toHaveLength(1);
      expect(urls[0]!.Properties.AuthType).toBe("NONE");
      expect(urls[0]!.Properties.TargetFunctionArn).toEqual({ "Fn::GetAtt": ["SlackLambdaFunction", "Arn"] });
      const slackArn = { "Fn::GetAtt": ["SlackLambdaFunction", "Arn"] };
      // The alarm function's permissions are for SNS and EventBridge (checked below); the URL's are the slack ones.
      const permissions = Object.values(resources).filter(
        (r) => r.Type === "AWS::Lambda::Permission" && text(r.Properties.FunctionName) === text(slackArn),
      );
      expect(permissions.map((p) => p.Properties)).toEqual(
        expect.arrayContaining([
          { FunctionName: slackArn, Action: "lambda:InvokeFunctionUrl", Principal: "*", FunctionUrlAuthType: "NONE" },
          { FunctionName: slackArn, Action: "lambda:InvokeFunction", Principal: "*", InvokedViaFunctionUrl: true },
        ]),
      );
      expect(permissions).toHaveLength(2);
    });

    it("wires the environment: worker name, SSM parameter names, table", () => {
      const slackEnv = environmentOf(resources.SlackLambdaFunction!);
      const workerEnv = environmentOf(resources.WorkerLambdaFunction!);
      expect(slackEnv.WORKER_FUNCTION_NAME).toEqual({ Ref: "WorkerLambdaFunction" });
      expect(slackEnv.SLACK_SIGNING_SECRET_PARAM).toBe(`/ecs-medic/${STAGE}/slack/signing-secret`);
      expect(slackEnv.SLACK_BOT_TOKEN_PARAM).toBeUndefined(); // the slack function has no use for the bot token
      expect(workerEnv.SLACK_SIGNING_SECRET_PARAM).toBeUndefined();
      expect(workerEnv.SLACK_BOT_TOKEN_PARAM).toBe(`/ecs-medic/${STAGE}/slack/bot-token`);
      expect(workerEnv.ECS_MEDIC_TABLE).toEqual({ Ref: "EcsMedicTable" });
      // Both read the access: section (the worker re-checks with user groups); the slack function audits refusals.
      expect(slackEnv.ECS_MEDIC_TABLE).toEqual({ Ref: "EcsMedicTable" });
      expect(slackEnv).toHaveProperty("ECS_MEDIC_CONFIG");
      expect(workerEnv).toHaveProperty("ECS_MEDIC_CONFIG");
      for (const env of [slackEnv, workerEnv]) {
        expect(env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED).toBe("true");
        expect(env.ECS_MEDIC_DEFAULT_CHANNEL).toEqual(expect.any(String));
        // Plain secrets never go into the template.
        expect(env.SLACK_SIGNING_SECRET).toBeUndefined();
        expect(env.SLACK_BOT_TOKEN).toBeUndefined();
      }
    });

    it("retries a failed async job once, drops stale ones, and parks failures in a queue", () => {
      const config = Object.values(resources).find((r) => r.Type === "AWS::Lambda::EventInvokeConfig")!;
      expect(config.Properties).toMatchObject({
        FunctionName: { Ref: "WorkerLambdaFunction" },
        MaximumRetryAttempts: 1,
        MaximumEventAgeInSeconds: 900,
        DestinationConfig: { OnFailure: { Destination: { "Fn::GetAtt": ["WorkerFailedJobsQueue", "Arn"] } } },
      });
    });

    it("caps the worker's concurrency, so a burst of commands cannot throttle the account's AWS reads", () => {
      expect(resources.WorkerLambdaFunction!.Properties.ReservedConcurrentExecutions).toBe(10);
      expect(resources.SlackLambdaFunction!.Properties.ReservedConcurrentExecutions).toBeUndefined();
    });

    it("alarms when a job lands in the failed-jobs queue, notifying a topic of its own unless one is configured", () => {
      const alarm = resources.WorkerFailedJobsAlarm!;
      expect(alarm.Type).toBe("AWS::CloudWatch::Alarm");
      expect(alarm.Properties).toMatchObject({
        Namespace: "AWS/SQS",
        MetricName: "ApproximateNumberOfMessagesVisible",
        Dimensions: [{ Name: "QueueName", Value: { "Fn::GetAtt": ["WorkerFailedJobsQueue", "QueueName"] } }],
        ComparisonOperator: "GreaterThanThreshold",
        Threshold: 0,
        EvaluationPeriods: 1,
        TreatMissingData: "notBreaching",
      });
      const target = { "Fn::If": ["CreateFailedJobsTopic", { Ref: "FailedJobsAlarmTopic" }, ""] };
      expect(alarm.Properties.AlarmActions).toEqual([target]);
      expect(alarm.Properties.OKActions).toEqual([target]);
      expect(resources.FailedJobsAlarmTopic).toMatchObject({
        Type: "AWS::SNS::Topic",
        Condition: "CreateFailedJobsTopic",
      });
      expect(template.Conditions?.CreateFailedJobsTopic).toEqual({ "Fn::Equals": ["", ""] });
    });

    it("creates the table: on-demand, pk/sk strings, TTL on expiresAt, point-in-time recovery", () => {
      const table = resources.EcsMedicTable!;
      expect(table.Type).toBe("AWS::DynamoDB::Table");
      expect(table.Properties).toMatchObject({
        BillingMode: "PAY_PER_REQUEST",
        KeySchema: [
          { AttributeName: "pk", KeyType: "HASH" },
          { AttributeName: "sk", KeyType: "RANGE" },
        ],
        TimeToLiveSpecification: { AttributeName: "expiresAt", Enabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      });
      expect(table.Properties.AttributeDefinitions).toEqual([
        { AttributeName: "pk", AttributeType: "S" },
        { AttributeName: "sk", AttributeType: "S" },
      ]);
    });

    it("subscribes the alarm function to the alarm topic and the EventBridge rules, with its own narrow role", () => {
      const alarmArn = { "Fn::GetAtt": ["AlarmLambdaFunction", "Arn"] };
      const subscription = Object.values(resources).find((r) => r.Type === "AWS::SNS::Subscription")!;
      expect(subscription.Properties).toMatchObject({
        TopicArn: { Ref: "AlarmTopic" },
        Protocol: "lambda",
        Endpoint: alarmArn,
      });
      const patterns = Object.values(resources)
        .filter((r) => r.Type === "AWS::Events::Rule")
        .map((r) => r.Properties.EventPattern as { source: string[]; "detail-type": string[] });
      expect(patterns.map((p) => p["detail-type"][0]).sort()).toEqual([
        "CloudWatch Alarm State Change",
        "ECS Deployment State Change",
        "ECS Service Action",
        "ECS Service Action",
        "ECS Task State Change",
      ]);
      const principals = Object.values(resources)
        .filter((r) => r.Type === "AWS::Lambda::Permission" && text(r.Properties.FunctionName) === text(alarmArn))
        .map((r) => r.Properties.Principal as string)
        .sort();
      expect(principals).toEqual([...Array(5).fill("events.amazonaws.com"), "sns.amazonaws.com"]);

      const statements = statementsOf("AlarmIamRoleLambdaExecution").filter((s) => !isOwnLogWriting(s, "alarm"));
      const actions = actionsOf(statements).sort();
      expect(actions).toEqual(
        [
          "cloudwatch:ListTagsForResource",
          "dynamodb:GetItem",
          "dynamodb:PutItem",
          "dynamodb:Query",
          "dynamodb:UpdateItem",
          "ecs:DescribeServices",
          "ecs:ListClusters",
          "ecs:ListServices",
          "kms:Decrypt",
          "lambda:InvokeFunction",
          "ssm:GetParameter",
        ].sort(),
      );
      const invoke = statements.find((s) => actionsOf([s]).includes("lambda:InvokeFunction"))!;
      expect(invoke.Resource).toEqual([{ "Fn::GetAtt": ["WorkerLambdaFunction", "Arn"] }]);
      const table = statements.find((s) => actionsOf([s]).includes("dynamodb:PutItem"))!;
      expect(table.Resource).toEqual([{ "Fn::GetAtt": ["EcsMedicTable", "Arn"] }]);
      expect(text(statements)).not.toContain("signing-secret");
      const env = (resources.AlarmLambdaFunction!.Properties.Environment as { Variables: Record<string, unknown> })
        .Variables;
      expect(env).toMatchObject({
        ECS_MEDIC_TABLE: { Ref: "EcsMedicTable" },
        WORKER_FUNCTION_NAME: { Ref: "WorkerLambdaFunction" },
        SLACK_BOT_TOKEN_PARAM: `/ecs-medic/${STAGE}/slack/bot-token`,
        ECS_MEDIC_DEFAULT_CHANNEL: expect.any(String),
      });
    });

    it("ships the built ESM handlers (own AWS SDK bundled) with only their own chunks; only the worker's zip carries the playbooks and source maps", () => {
      for (const fn of ["slack", "worker", "actions", "alarm"]) {
        const zip = readZip(join(packageDir, `${fn}.zip`));
        const names = [...zip.keys()];
        const entry = `dist/handlers/${fn}.mjs`;
        expect(names).toContain(entry);
        expect(names.includes("dist/playbooks/service-not-healthy.yaml"), `${fn}.zip playbooks`).toBe(fn === "worker");
        expect(names.includes("dist/playbooks.compiled.json"), `${fn}.zip compiled playbooks`).toBe(fn === "worker");
        expect(names.includes(`${entry}.map`), `${fn}.zip map`).toBe(fn === "worker");
        // Nothing but the function's entry, the chunks it loads (its own folder, the same files as dist/), and for
        // the worker its maps and the playbooks: no other function's code, no source, no node_modules.
        const own = `dist/handlers/chunks/${fn}/`;
        const chunks = readdirSync(own).map((f) => `${own}${f}`);
        const playbook = (n: string) => n.startsWith("dist/playbooks");
        expect(names.filter((n) => !playbook(n) && !n.endsWith(".map")).sort()).toEqual(
          [entry, ...chunks.filter((c) => !c.endsWith(".map"))].sort(),
        );
        const code = zip.get(entry)!.toString("utf8");
        expect(code.startsWith("import{createRequire") || code.startsWith("import { createRequire")).toBe(true);
        for (const file of [entry, ...chunks.filter((c) => c.endsWith(".mjs"))]) {
          expect(zip.get(file)!.toString("utf8"), file).not.toMatch(/(from|require\()\s*"@aws-sdk\/client-/);
          // What is zipped is what the tests and the bench ran: dist/ as scripts/build.mjs wrote it.
          expect(zip.get(file)!.equals(readFileSync(file)), `${file} is dist/'s`).toBe(true);
        }
      }
      // Bolt's receivers the handlers never run are stubbed out (scripts/esbuild-lambda-plugins.cjs).
      const slackZip = readZip(join(packageDir, "slack.zip"));
      const slack = [...slackZip.values()].map((b) => b.toString("utf8")).join("\n");
      expect(slack).toContain("is not in the Lambda bundles");
      expect(slack).not.toContain("requires a middleware function"); // express, which only ExpressReceiver uses
      // The ECS client the collectors need (ListServiceDeployments is newer than some runtime SDKs) is inside.
      const worker = [...readZip(join(packageDir, "worker.zip")).values()].map((b) => b.toString("utf8")).join("\n");
      expect(worker).toContain("ListServiceDeployments");
    });
  },
);
