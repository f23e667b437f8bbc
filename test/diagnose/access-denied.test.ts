import { describe, expect, it } from "vitest";
import {
  deniedWhat,
  denialFix,
  denialReason,
  parseAccessDenied,
  resourceName,
  type AccessDenial,
} from "../../src/diagnose/access-denied";

/**
 * Real AccessDenied wordings, each with its source (AWS documentation, or the public GitHub issue, pull request or
 * file it was quoted from; "search-index id" names a public file found through the code search). Account ids and
 * session names are as published (some redacted by their authors).
 */
interface Row {
  readonly family: string;
  readonly text: string;
  readonly source: string;
  readonly expect: Partial<AccessDenial>;
  /** What denialFix says, in part. */
  readonly fix: string;
}

const ROWS: readonly Row[] = [
  {
    family: "implicit, identity-based (ECS Exec, CLI)",
    text: "An error occurred (AccessDeniedException) when calling the ExecuteCommand operation: User: arn:aws:iam::111122223333:user/oncall is not authorized to perform: ecs:ExecuteCommand on resource: arn:aws:ecs:us-east-1:111122223333:cluster/prod because no identity-based policy allows the ecs:ExecuteCommand action",
    source: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-exec-troubleshooting.html",
    expect: {
      principalName: "user oncall",
      action: "ecs:ExecuteCommand",
      resourceName: "cluster prod",
      deny: "implicit",
      policy: "identity-based",
    },
    fix: "allow ecs:ExecuteCommand on cluster prod for user oncall",
  },
  {
    family: "implicit, identity-based, ECR pull in a stopped reason",
    text: "CannotPullContainerError: Error response from daemon: pull access denied for 111122223333.dkr.ecr.us-east-1.amazonaws.com/payment/api, repository does not exist or may require 'docker login': denied: User: arn:aws:sts::111122223333:assumed-role/ecsTaskExecutionRole/0123 is not authorized to perform: ecr:BatchGetImage on resource: arn:aws:ecr:us-east-1:111122223333:repository/payment/api because no identity-based policy allows the ecr:BatchGetImage action",
    source: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_cannot_pull_image.html",
    expect: {
      principalName: "ecsTaskExecutionRole",
      action: "ecr:BatchGetImage",
      resourceName: "repository payment/api",
      deny: "implicit",
      policy: "identity-based",
    },
    fix: "allow ecr:BatchGetImage on repository payment/api for ecsTaskExecutionRole",
  },
  {
    family: "implicit, identity-based, KMS in a ResourceInitializationError",
    text: "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secrets from ssm: service call has been retried 1 time(s): AccessDeniedException: User: arn:aws:sts::111122223333:assumed-role/ecsTaskExecutionRole/0123 is not authorized to perform: kms:Decrypt on resource: arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab because no identity-based policy allows the kms:Decrypt action",
    source: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/resource-initialization-error.html",
    expect: {
      principalName: "ecsTaskExecutionRole",
      action: "kms:Decrypt",
      resourceName: "key 1234abcd-12ab-34cd-56ef-1234567890ab",
      deny: "implicit",
    },
    fix: "allow kms:Decrypt on key 1234abcd-12ab-34cd-56ef-1234567890ab for ecsTaskExecutionRole",
  },
  {
    family: "implicit, identity-based, Go SDK v2 in an application log (empty account id)",
    text: "* operation error DynamoDB: PutItem, https response error StatusCode: 400, RequestID: api error AccessDeniedException: User: arn:aws:sts:::assumed-role/github-actions/githubactionsrolesession is not authorized to perform: dynamodb:PutItem on resource: arn:aws:dynamodb:eu-west-2::table/modernisation-platform-terraform-state-lock because no identity-based policy allows the dynamodb:PutItem action",
    source: "https://github.com/ministryofjustice/modernisation-platform/pull/6789",
    expect: {
      principalName: "github-actions",
      action: "dynamodb:PutItem",
      resourceName: "table modernisation-platform-terraform-state-lock",
      deny: "implicit",
      policy: "identity-based",
    },
    fix: "allow dynamodb:PutItem on table modernisation-platform-terraform-state-lock for github-actions",
  },
  {
    family: "implicit, identity-based, botocore (iam:PassRole on RunTask)",
    text: "botocore.errorfactory.AccessDeniedException: An error occurred (AccessDeniedException) when calling the RunTask operation: User: arn:aws:iam::<account>:user/parking-airflow-user is not authorized to perform: iam:PassRole on resource: arn:aws:iam::<account>:role/dataplatform-stg-ecs-parking because no identity-based policy allows the iam:PassRole action",
    source: "https://github.com/LBHackney-IT/Data-Platform/pull/1992",
    expect: {
      principalName: "user parking-airflow-user",
      action: "iam:PassRole",
      resourceName: "role dataplatform-stg-ecs-parking",
      deny: "implicit",
    },
    fix: "allow iam:PassRole on role dataplatform-stg-ecs-parking for user parking-airflow-user",
  },
  {
    family: "older form without a reason, Java SDK suffix",
    text: "User: arn:aws:sts::<account>:assumed-role/my-service-staging-IamRoleStateMachineExecut-HOBGIVKJHLN/gaegregerhbeahberg is not authorized to perform: iam:PassRole on resource: arn:aws:iam::<account>:role/ecsTaskExecutionRole (Service: AmazonECS; Status Code: 400; Error Code: AccessDeniedException; Request ID: 37158697-a9c5-4ce8-8044-812c988dea0a)",
    source: "https://github.com/serverless-operations/serverless-step-functions/pull/189",
    expect: {
      principalName: "my-service-staging-IamRoleStateMachineExecut-HOBGIVKJHLN",
      action: "iam:PassRole",
      resource: "arn:aws:iam::<account>:role/ecsTaskExecutionRole",
      resourceName: "role ecsTaskExecutionRole",
      deny: "unknown",
    },
    fix: "allow iam:PassRole on role ecsTaskExecutionRole for my-service-staging-IamRoleStateMachineExecut-HOBGIVKJHLN",
  },
  {
    family: "older form, Go SDK v1 suffix (SSM at start-up)",
    text: "Fetching secret data from SSM Parameter Store in {REGION}: AccessDeniedException: User: arn:aws:sts::{ACCOUNT_ID}:assumed-role/{...}/9e05ad12-2574-47a3-b48f-3a2244770318 is not authorized to perform: ssm:GetParameters on resource: arn:aws:ssm:{REGION}:{ACCOUNT_ID}:parameter/{PARAMETER_NAME} status code: 400, request id: 787934d9-56ba-4a43-9e60-4f05",
    source: "https://github.com/aws/aws-cdk/issues/3529",
    expect: {
      action: "ssm:GetParameters",
      resourceName: "parameter /{PARAMETER_NAME}",
      deny: "unknown",
    },
    fix: "allow ssm:GetParameters on parameter /{PARAMETER_NAME}",
  },
  {
    family: "explicit deny in an identity-based policy, with the policy ARN (Access Troubleshooter form)",
    text: "User: arn:aws:iam::123456789012:user/janedoe is not authorized to perform: iam:CreateInstanceProfile on resource: arn:aws:iam::123456789012:instance-profile/my-instance-profile with an explicit deny in an identity-based policy: arn:aws:iam::123456789012:policy/ExampleDenyPolicy. Go to https://us-east-1.console.aws.amazon.com/iam/home?region=us-east-1#/authorization-details/EXAMPLE1a2b3c4d5e",
    source: "https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied-authorization-id.html",
    expect: {
      principalName: "user janedoe",
      action: "iam:CreateInstanceProfile",
      deny: "explicit",
      policy: "identity-based",
      policyArn: "arn:aws:iam::123456789012:policy/ExampleDenyPolicy",
    },
    fix: "remove the explicit deny of iam:CreateInstanceProfile in the identity-based policy ExampleDenyPolicy of user janedoe",
  },
  {
    family: "explicit deny in a service control policy, with the SCP ARN, no principal",
    text: "AccessDeniedException: not authorized to perform: bedrock:InvokeModel on resource: arn:aws:bedrock:eu-north-1::foundation-model/anthropic.claude-sonnet-4-6 with an explicit deny in a service control policy: arn:aws:organizations::705927066274:policy/o-ysrrabz20z/service_control_policy/p-ddxnpgbm",
    source: "public GitHub file (search-index id 63091811397)",
    expect: {
      principal: undefined,
      action: "bedrock:InvokeModel",
      deny: "explicit",
      policy: "service control",
      policyArn: "arn:aws:organizations::705927066274:policy/o-ysrrabz20z/service_control_policy/p-ddxnpgbm",
    },
    fix: "remove the explicit deny of bedrock:InvokeModel in the service control policy (SCP) p-ddxnpgbm",
  },
  {
    family: "explicit deny in a service control policy (plain)",
    text: "User: arn:aws:sts::123456789012:assumed-role/fixture/session is not authorized to perform: bedrock:InvokeModel on resource: arn:aws:bedrock:us-east-1::foundation-model/fixture with an explicit deny in a service control policy",
    source: "public GitHub file (search-index id 71279800168)",
    expect: { principalName: "fixture", deny: "explicit", policy: "service control", policyArn: undefined },
    fix: "remove the explicit deny of bedrock:InvokeModel in the service control policy (SCP), or narrow its condition",
  },
  {
    family: "implicit, permissions boundary, non-ARN resource",
    text: "An error occurred (AccessDenied) when calling the ListAttachedUserPolicies operation: User: arn:aws:iam::921234892411:user/iam-secrets-unleashed-privesc-1735487289906-Adam is not authorized to perform: iam:ListAttachedUserPolicies on resource: user iam-secrets-unleashed-privesc-1735487289906-Adam because no permissions boundary allows the iam:ListAttachedUserPolicies action",
    source: "public GitHub file (search-index id 3977667070)",
    expect: {
      action: "iam:ListAttachedUserPolicies",
      resource: "user iam-secrets-unleashed-privesc-1735487289906-Adam",
      deny: "implicit",
      policy: "permissions boundary",
    },
    fix: "allow iam:ListAttachedUserPolicies on user iam-secrets-unleashed-privesc-1735487289906-Adam in the permissions boundary of user iam-secrets-unleashed-privesc-1735487289906-Adam",
  },
  {
    family: "implicit, session policy, S3's quoted resource, no 'User:' prefix",
    text: 'arn:aws:sts::xxxxxxx:assumed-role/TanakaBuildProjectRole/xxxxxxx is not authorized to perform: s3:ListBucket on resource: "arn:aws:s3:::tanaka-s3bucket" because no session policy allows the s3:ListBucket action (Service: Amazon S3; Status Code: 403; Error Code: AccessDenied;',
    source: "public GitHub file (search-index id 28805452954)",
    expect: {
      principalName: "TanakaBuildProjectRole",
      action: "s3:ListBucket",
      resource: "arn:aws:s3:::tanaka-s3bucket",
      resourceName: "bucket tanaka-s3bucket",
      deny: "implicit",
      policy: "session",
    },
    fix: "allow s3:ListBucket on bucket tanaka-s3bucket in the session policy",
  },
  {
    family: "implicit, session policy, federated user",
    text: "An error occurred (AccessDeniedException) when calling the GetItem operation: User: arn:aws:sts::ACCOUNT_ID:federated-user/vault-xxxxxxxxxx-yyyyyyyyyyyyyyy is not authorized to perform: dynamodb:GetItem on resource: arn:aws:dynamodb:AWS_REGION:ACCOUNT_ID:table/Products_xxxxxxxx because no session policy allows the dynamodb:GetItem action",
    source: "public GitHub file (search-index id 40720595260)",
    expect: {
      action: "dynamodb:GetItem",
      resourceName: "table Products_xxxxxxxx",
      deny: "implicit",
      policy: "session",
    },
    fix: "allow dynamodb:GetItem on table Products_xxxxxxxx in the session policy",
  },
  {
    family: "Secrets Manager's KMS wording, no principal or action named",
    text: "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 1 time(s): failed to fetch secret arn:aws:secretsmanager:eu-central-1:<account>:secret:algo-dev-directus-secret20240626183203358800000004-EaPYTy from secrets manager: AccessDeniedException: Access to KMS is not allowed status code: 400, request id: a87a66d9-f839-4353-b8c2-9984b1465695",
    source: "https://github.com/GiamPy5/terraform-aws-directus/issues/10",
    expect: { principal: undefined, action: "kms:Decrypt", resource: undefined, deny: "unknown" },
    fix: "allow kms:Decrypt",
  },
  {
    family: "JavaScript SDK v2, action without a principal",
    text: "AccessDenied: Not authorized to perform sts:AssumeRole",
    source: "https://github.com/serverless/serverless/issues/3040",
    expect: { principal: undefined, action: "sts:AssumeRole", deny: "unknown" },
    fix: "allow sts:AssumeRole",
  },
  {
    family: "PHP SDK, cut short by the logger",
    text: "AccessDeniedException (client): User: arn:aws:sts::<account>:assumed-role/aws-elasticbeanstalk-ec2-role/i-0d1204078bf4e29eb is not authorized to perform: dynamo",
    source: "https://github.com/aws/aws-sdk-php/issues/1292",
    expect: { principalName: "aws-elasticbeanstalk-ec2-role", action: undefined, deny: "unknown" },
    fix: "allow the denied action for aws-elasticbeanstalk-ec2-role",
  },
];

describe("parseAccessDenied on real wordings", () => {
  it.each(ROWS)("$family", ({ text, expect: want, fix }) => {
    const d = parseAccessDenied(text);
    expect(d).toBeDefined();
    expect(d).toMatchObject(want);
    expect(denialFix(d!)).toContain(fix);
  });

  it("says nothing for messages that name neither a principal nor an action", () => {
    for (const text of [
      "Access Denied (Service: Amazon S3; Status Code: 403; Error Code: AccessDenied; Request ID: 5F2A)",
      "UnauthorizedOperation: You are not authorized to perform this operation.",
      "ERROR 1045 (28000): Access denied for user 'app'@'10.0.1.7' (using password: YES)",
    ])
      expect(parseAccessDenied(text)).toBeUndefined();
  });
});

describe("the words a report uses", () => {
  const sqs = parseAccessDenied(
    "User: arn:aws:sts::123456789012:assumed-role/payment-api-task/abc is not authorized to perform: sqs:SendMessage on resource: arn:aws:sqs:us-east-1:123456789012:orders-events because no identity-based policy allows the sqs:SendMessage action",
  )!;

  it("names what was denied, to whom, and the fix", () => {
    expect(deniedWhat(sqs)).toBe("sqs:SendMessage on queue orders-events");
    expect(denialReason(sqs)).toBe("no identity-based policy allows it");
    expect(denialFix(sqs)).toBe("allow sqs:SendMessage on queue orders-events for payment-api-task");
  });

  it("sends an explicit deny to the policy that holds it, for each kind of policy", () => {
    const base =
      "User: arn:aws:sts::123456789012:assumed-role/payment-api-task/abc is not authorized to perform: sqs:SendMessage on resource: arn:aws:sqs:us-east-1:123456789012:orders-events with an explicit deny in ";
    const cases: [string, string][] = [
      ["a service control policy", "in the service control policy (SCP)"],
      ["a resource control policy", "in the resource control policy (RCP)"],
      ["a permissions boundary", "in the permissions boundary of payment-api-task"],
      ["a resource-based policy", "in the resource policy of queue orders-events"],
      ["a session policy", "in the session policy"],
      ["a VPC endpoint policy", "in the VPC endpoint policy"],
      ["an identity-based policy", "in the identity-based policy of payment-api-task"],
    ];
    for (const [policy, where] of cases) {
      const d = parseAccessDenied(base + policy)!;
      expect(d.deny).toBe("explicit");
      expect(denialReason(d)).toMatch(/^an explicit deny in an? /);
      expect(denialFix(d)).toContain(`remove the explicit deny of sqs:SendMessage ${where}`);
    }
  });

  it("asks the resource's owner when no resource-based policy allows it", () => {
    const d = parseAccessDenied(
      'User: arn:aws:sts::123456789012:assumed-role/payment-api-task/abc is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::amzn-s3-demo-bucket/object-name" because no resource-based policy allows the s3:GetObject action',
    )!;
    expect(d.resourceName).toBe("object s3://amzn-s3-demo-bucket/object-name");
    expect(denialFix(d)).toBe(
      "allow payment-api-task s3:GetObject in the resource policy of object s3://amzn-s3-demo-bucket/object-name",
    );
  });

  it("reads the resources a service touches into short names", () => {
    expect(resourceName("arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-Qw3rTy")).toBe("secret prod/db");
    expect(resourceName("arn:aws:logs:us-east-1:123456789012:log-group:/ecs/payment-api:*")).toBe(
      "log group /ecs/payment-api",
    );
    expect(resourceName("arn:aws:sns:us-east-1:123456789012:alerts")).toBe("topic alerts");
    expect(resourceName("*")).toBe("all resources");
  });
});
