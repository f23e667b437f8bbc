import {
  paginateDescribeRouteTables,
  paginateDescribeVpcEndpoints,
  type EC2Client,
  type RouteTable,
} from "@aws-sdk/client-ec2";
import { awsCall, collectPages } from "../../aws/aws-call";
import { toStepError } from "../../aws/step-error";
import type { StepError } from "../../evidence/schema";
import type { NetworkPath } from "../step";

/** Pages read at most per call (a VPC's route tables and endpoints fit in one or two). */
const MAX_PAGES = 2;

/**
 * What the service's awsvpc subnets route through: the route table of each subnet (its explicit association, else
 * the VPC's main table), the NAT gateways and gateway endpoints those tables route to, and the VPC's endpoints
 * (ECR, Secrets Manager, CloudWatch Logs, S3 — what a task without a public IP pulls and reads through). Step 10
 * looks for changes to them. Reads: ec2:DescribeRouteTables (one call filtered by subnet, one more for the main
 * table when a subnet has no explicit association), ec2:DescribeVpcEndpoints (one call filtered by VPC). The VPC
 * comes from the route tables, else from `vpcHint` (the target groups' VPC). Never rejects: failures are returned.
 */
export async function loadNetworkPath(
  ec2: EC2Client,
  subnets: readonly string[],
  vpcHint: () => Promise<string | undefined>,
): Promise<NetworkPath> {
  const errors: StepError[] = [];
  if (subnets.length === 0) return { routeTables: [], vpcEndpointIds: [], errors };
  const routeTables = (filters: { Name: string; Values: string[] }[]) =>
    awsCall("ec2:DescribeRouteTables", () =>
      collectPages(paginateDescribeRouteTables({ client: ec2 }, { Filters: filters }), (p) => p.RouteTables, {
        maxPages: MAX_PAGES,
      }),
    ).then(
      (r) => r.items,
      (error: unknown) => {
        errors.push(toStepError(error, "ec2:DescribeRouteTables"));
        return [] as RouteTable[];
      },
    );

  const explicit = await routeTables([{ Name: "association.subnet-id", Values: [...subnets] }]);
  const associated = new Set(
    explicit.flatMap((t) => (t.Associations ?? []).flatMap((a) => (a.SubnetId ? [a.SubnetId] : []))),
  );
  const vpcId = explicit.find((t) => t.VpcId)?.VpcId ?? (await vpcHint().catch(() => undefined));
  const needMain = subnets.some((s) => !associated.has(s));
  const [main, endpoints] = vpcId
    ? await Promise.all([
        needMain
          ? routeTables([
              { Name: "vpc-id", Values: [vpcId] },
              { Name: "association.main", Values: ["true"] },
            ])
          : Promise.resolve([] as RouteTable[]),
        awsCall("ec2:DescribeVpcEndpoints", () =>
          collectPages(
            paginateDescribeVpcEndpoints({ client: ec2 }, { Filters: [{ Name: "vpc-id", Values: [vpcId] }] }),
            (p) => p.VpcEndpoints,
            { maxPages: MAX_PAGES },
          ),
        ).then(
          (r) => r.items.flatMap((e) => (e.VpcEndpointId ? [e.VpcEndpointId] : [])),
          (error: unknown) => {
            errors.push(toStepError(error, "ec2:DescribeVpcEndpoints"));
            return [] as string[];
          },
        ),
      ])
    : [[] as RouteTable[], [] as string[]];

  return {
    routeTables: [...explicit, ...main].flatMap((t) =>
      t.RouteTableId
        ? [
            {
              routeTableId: t.RouteTableId,
              natGatewayIds: unique((t.Routes ?? []).flatMap((r) => (r.NatGatewayId ? [r.NatGatewayId] : []))),
              gatewayEndpointIds: unique(
                (t.Routes ?? []).flatMap((r) => (r.GatewayId?.startsWith("vpce-") ? [r.GatewayId] : [])),
              ),
            },
          ]
        : [],
    ),
    vpcEndpointIds: endpoints,
    errors,
  };
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}
