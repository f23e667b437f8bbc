/**
 * Every AWS client the collectors use, mocked with aws-sdk-client-mock, and a plain estate in which every read
 * answers like AWS does (shared by the collector, worker and handler tests).
 */
import { CloudTrailClient, LookupEventsCommand } from "@aws-sdk/client-cloudtrail";
import { CloudWatchClient, GetMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { CloudWatchLogsClient, FilterLogEventsCommand, GetLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import {
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcEndpointsCommand,
  EC2Client,
} from "@aws-sdk/client-ec2";
import { DescribeImagesCommand, DescribeRepositoriesCommand, ECRClient } from "@aws-sdk/client-ecr";
import {
  DescribeServiceDeploymentsCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListServiceDeploymentsCommand,
  type Task,
} from "@aws-sdk/client-ecs";
import {
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { mockClient } from "aws-sdk-client-mock";
import { LOAD_BALANCER_ARN, minutesAgo, sdkTargetGroup, sdkTaskDefinition } from "../fixtures/aws";

/** The VPC's main route table, as DescribeRouteTables answers: local route and a default route to a NAT gateway. */
export const MAIN_ROUTE_TABLE = {
  RouteTableId: "rtb-0main000000000001",
  VpcId: "vpc-1",
  Associations: [
    { Main: true, RouteTableAssociationId: "rtbassoc-0main00000000001", RouteTableId: "rtb-0main000000000001" },
  ],
  Routes: [
    { DestinationCidrBlock: "10.0.0.0/16", GatewayId: "local", Origin: "CreateRouteTable", State: "active" },
    {
      DestinationCidrBlock: "0.0.0.0/0",
      NatGatewayId: "nat-0a1b2c3d4e5f60001",
      Origin: "CreateRoute",
      State: "active",
    },
  ],
} as const;

export function mockAllClients() {
  return {
    ecs: mockClient(ECSClient),
    elbv2: mockClient(ElasticLoadBalancingV2Client),
    logs: mockClient(CloudWatchLogsClient),
    ec2: mockClient(EC2Client),
    ecr: mockClient(ECRClient),
    cloudtrail: mockClient(CloudTrailClient),
    cloudwatch: mockClient(CloudWatchClient),
  };
}
export type ClientMocks = ReturnType<typeof mockAllClients>;

/** A plain, healthy-looking estate: every read answers. `tasks` are returned by DescribeTasks by ARN. */
export function answerEverything(mocks: ClientMocks, tasks: Task[]): void {
  const byArn = new Map(tasks.map((t) => [t.taskArn!, t]));
  mocks.ecs.on(DescribeTaskDefinitionCommand).callsFake((input: { taskDefinition: string }) => ({
    taskDefinition: sdkTaskDefinition(Number(input.taskDefinition.split(":").pop())),
  }));
  mocks.ecs.on(DescribeTasksCommand).callsFake((input: { tasks: string[] }) => ({
    tasks: input.tasks.map((arn) => byArn.get(arn)).filter(Boolean),
    failures: [],
  }));
  mocks.ecs.on(ListServiceDeploymentsCommand).resolves({ serviceDeployments: [] });
  mocks.ecs.on(DescribeServiceDeploymentsCommand).resolves({ serviceDeployments: [], failures: [] });
  mocks.elbv2.on(DescribeTargetGroupsCommand).resolves({ TargetGroups: [sdkTargetGroup()] });
  mocks.elbv2.on(DescribeTargetHealthCommand).resolves({ TargetHealthDescriptions: [] });
  mocks.elbv2.on(DescribeLoadBalancersCommand).resolves({
    LoadBalancers: [
      {
        LoadBalancerArn: LOAD_BALANCER_ARN,
        LoadBalancerName: "prod-alb",
        Type: "application",
        Scheme: "internet-facing",
        SecurityGroups: ["sg-0alb0000000000001"],
      },
    ],
  });
  mocks.ec2.on(DescribeSubnetsCommand).resolves({
    Subnets: [
      {
        SubnetId: "subnet-0a1b2c3d4e5f60001",
        CidrBlock: "10.0.1.0/24",
        AvailabilityZone: "us-east-1a",
        AvailableIpAddressCount: 200,
        VpcId: "vpc-1",
      },
      {
        SubnetId: "subnet-0a1b2c3d4e5f60002",
        CidrBlock: "10.0.2.0/24",
        AvailabilityZone: "us-east-1b",
        AvailableIpAddressCount: 180,
        VpcId: "vpc-1",
      },
    ],
  });
  mocks.ec2.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [] });
  // The subnets have no explicit association: they use the VPC's main table, which routes out through a NAT gateway.
  mocks.ec2.on(DescribeRouteTablesCommand).callsFake((input: { Filters?: { Name?: string }[] }) => ({
    RouteTables: (input.Filters ?? []).some((f) => f.Name === "association.main") ? [MAIN_ROUTE_TABLE] : [],
  }));
  mocks.ec2.on(DescribeVpcEndpointsCommand).resolves({
    VpcEndpoints: [
      {
        VpcEndpointId: "vpce-0ecrdkr00000000001",
        VpcEndpointType: "Interface",
        VpcId: "vpc-1",
        ServiceName: "com.amazonaws.us-east-1.ecr.dkr",
        State: "Available",
      },
    ],
  });
  mocks.logs.on(GetLogEventsCommand).resolves({
    events: [{ timestamp: minutesAgo(3).getTime(), message: "INFO ok", ingestionTime: minutesAgo(3).getTime() }],
  });
  mocks.logs.on(FilterLogEventsCommand).resolves({ events: [], searchedLogStreams: [] });
  mocks.ecr.on(DescribeImagesCommand).resolves({ imageDetails: [] });
  mocks.ecr.on(DescribeRepositoriesCommand).resolves({ repositories: [] });
  mocks.cloudtrail.on(LookupEventsCommand).resolves({ Events: [] });
  mocks.cloudwatch.on(GetMetricDataCommand).resolves({ MetricDataResults: [], Messages: [] });
}
