/**
 * Seeds moto_server with a small but realistic ECS/Fargate estate: a VPC with a /28 subnet, an ALB and its
 * target group, security groups (ALB → task on 8080), a log group with task logs, an ECR repository,
 * and a cluster `prod` with two task-definition revisions and the service `payment-api`.
 */
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  EC2Client,
} from "@aws-sdk/client-ec2";
import { CreateRepositoryCommand, ECRClient, PutImageCommand } from "@aws-sdk/client-ecr";
import {
  CreateClusterCommand,
  CreateServiceCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  type ContainerDefinition,
} from "@aws-sdk/client-ecs";
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  ElasticLoadBalancingV2Client,
} from "@aws-sdk/client-elastic-load-balancing-v2";

export const SEED = {
  region: "us-east-1",
  account: "123456789012",
  cluster: "prod",
  service: "payment-api",
  logGroup: "/ecs/payment-api",
  taskId: "0f6b1e5c7d2a4b8e9c3d1a2b3c4d5e6f",
} as const;

export interface Seeded {
  vpcId: string;
  smallSubnetId: string;
  wideSubnetId: string;
  albSecurityGroupId: string;
  taskSecurityGroupId: string;
  loadBalancerArn: string;
  targetGroupArn: string;
  taskDefinitionArns: string[];
}

export async function seedPaymentApi(endpoint: string, now: Date): Promise<Seeded> {
  const config = { endpoint, region: SEED.region, credentials: { accessKeyId: "testing", secretAccessKey: "testing" } };
  const ec2 = new EC2Client(config);
  const elbv2 = new ElasticLoadBalancingV2Client(config);
  const logs = new CloudWatchLogsClient(config);
  const ecr = new ECRClient(config);
  const ecs = new ECSClient(config);
  try {
    const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: "10.20.0.0/16" }))).Vpc!.VpcId!;
    const smallSubnetId = (
      await ec2.send(
        new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: "10.20.1.0/28", AvailabilityZone: "us-east-1a" }),
      )
    ).Subnet!.SubnetId!;
    const wideSubnetId = (
      await ec2.send(
        new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: "10.20.2.0/24", AvailabilityZone: "us-east-1b" }),
      )
    ).Subnet!.SubnetId!;

    const albSecurityGroupId = (
      await ec2.send(new CreateSecurityGroupCommand({ GroupName: "prod-alb", Description: "ALB", VpcId: vpcId }))
    ).GroupId!;
    const taskSecurityGroupId = (
      await ec2.send(
        new CreateSecurityGroupCommand({
          GroupName: "payment-api-task",
          Description: "payment-api tasks",
          VpcId: vpcId,
        }),
      )
    ).GroupId!;
    await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: albSecurityGroupId,
        IpPermissions: [{ IpProtocol: "tcp", FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: "0.0.0.0/0" }] }],
      }),
    );
    await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: taskSecurityGroupId,
        IpPermissions: [
          { IpProtocol: "tcp", FromPort: 8080, ToPort: 8080, UserIdGroupPairs: [{ GroupId: albSecurityGroupId }] },
        ],
      }),
    );

    const loadBalancerArn = (
      await elbv2.send(
        new CreateLoadBalancerCommand({
          Name: "prod-alb",
          Subnets: [smallSubnetId, wideSubnetId],
          SecurityGroups: [albSecurityGroupId],
          Scheme: "internet-facing",
          Type: "application",
        }),
      )
    ).LoadBalancers![0]!.LoadBalancerArn!;
    const targetGroupArn = (
      await elbv2.send(
        new CreateTargetGroupCommand({
          Name: "payment-api-tg",
          Protocol: "HTTP",
          Port: 8080,
          VpcId: vpcId,
          TargetType: "ip",
          HealthCheckPath: "/health",
          HealthCheckProtocol: "HTTP",
          Matcher: { HttpCode: "200" },
        }),
      )
    ).TargetGroups![0]!.TargetGroupArn!;
    await elbv2.send(
      new CreateListenerCommand({
        LoadBalancerArn: loadBalancerArn,
        Protocol: "HTTP",
        Port: 80,
        DefaultActions: [{ Type: "forward", TargetGroupArn: targetGroupArn }],
      }),
    );

    await logs.send(new CreateLogGroupCommand({ logGroupName: SEED.logGroup }));
    const stream = `ecs/app/${SEED.taskId}`;
    await logs.send(new CreateLogStreamCommand({ logGroupName: SEED.logGroup, logStreamName: stream }));
    const t = now.getTime() - 10 * 60_000;
    await logs.send(
      new PutLogEventsCommand({
        logGroupName: SEED.logGroup,
        logStreamName: stream,
        logEvents: [
          { timestamp: t, message: "INFO starting payment-api v1.2 on :8080" },
          { timestamp: t + 1000, message: "INFO connecting to postgres://app:hunter2secret@db.internal:5432/payments" },
          {
            timestamp: t + 2000,
            message:
              "ERROR failed to load config: AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/payment-api-task/abc is not authorized to perform: ssm:GetParameter",
          },
          { timestamp: t + 3000, message: "FATAL exiting with status 1" },
        ],
      }),
    );

    await ecr.send(new CreateRepositoryCommand({ repositoryName: "payment-api", imageTagMutability: "MUTABLE" }));
    await ecr.send(
      new PutImageCommand({
        repositoryName: "payment-api",
        imageTag: "v1.1",
        imageManifest: JSON.stringify({
          schemaVersion: 2,
          mediaType: "application/vnd.docker.distribution.manifest.v2+json",
          config: {
            mediaType: "application/vnd.docker.container.image.v1+json",
            size: 1470,
            digest: "sha256:1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f809",
          },
          layers: [],
        }),
      }),
    );

    await ecs.send(new CreateClusterCommand({ clusterName: SEED.cluster }));
    const container = (tag: string): ContainerDefinition => ({
      name: "app",
      image: `${SEED.account}.dkr.ecr.${SEED.region}.amazonaws.com/payment-api:${tag}`,
      essential: true,
      memory: 512,
      portMappings: [{ containerPort: 8080, hostPort: 8080, protocol: "tcp" }],
      environment: [{ name: "DB_PASSWORD_PLAIN", value: "must-never-appear-in-evidence" }],
      secrets: [
        {
          name: "DB_PASSWORD",
          valueFrom: `arn:aws:secretsmanager:${SEED.region}:${SEED.account}:secret:prod/payment-api/db-AbCdEf`,
        },
      ],
      logConfiguration: {
        logDriver: "awslogs",
        options: { "awslogs-group": SEED.logGroup, "awslogs-region": SEED.region, "awslogs-stream-prefix": "ecs" },
      },
    });
    const taskDefinitionArns: string[] = [];
    for (const tag of ["v1.1", "v1.2"]) {
      const out = await ecs.send(
        new RegisterTaskDefinitionCommand({
          family: SEED.service,
          networkMode: "awsvpc",
          requiresCompatibilities: ["FARGATE"],
          cpu: "256",
          memory: "512",
          executionRoleArn: `arn:aws:iam::${SEED.account}:role/payment-api-execution`,
          taskRoleArn: `arn:aws:iam::${SEED.account}:role/payment-api-task`,
          containerDefinitions: [container(tag)],
        }),
      );
      taskDefinitionArns.push(out.taskDefinition!.taskDefinitionArn!);
    }
    await ecs.send(
      new CreateServiceCommand({
        cluster: SEED.cluster,
        serviceName: SEED.service,
        taskDefinition: taskDefinitionArns[1],
        desiredCount: 4,
        launchType: "FARGATE",
        loadBalancers: [{ targetGroupArn, containerName: "app", containerPort: 8080 }],
        networkConfiguration: {
          awsvpcConfiguration: {
            subnets: [smallSubnetId],
            securityGroups: [taskSecurityGroupId],
            assignPublicIp: "DISABLED",
          },
        },
        deploymentConfiguration: {
          maximumPercent: 200,
          minimumHealthyPercent: 100,
          deploymentCircuitBreaker: { enable: true, rollback: true },
        },
      }),
    );
    return {
      vpcId,
      smallSubnetId,
      wideSubnetId,
      albSecurityGroupId,
      taskSecurityGroupId,
      loadBalancerArn,
      targetGroupArn,
      taskDefinitionArns,
    };
  } finally {
    for (const c of [ec2, elbv2, logs, ecr, ecs]) c.destroy();
  }
}
