import type { PathResource, StepError } from "../../evidence/schema";
import { taskDefinitionResources } from "../../diagnose/changes/path";
import type { CollectContext } from "../step";

/**
 * The resources on the service's path, from the run's shared reads (no read of its own): the service, its task
 * definition (family, ARN, task and execution roles, secrets, ECR repositories), its target groups and their load
 * balancers (listeners and rules belong to them through their ARN) with the load balancers' security groups, the
 * service's security groups and subnets, and what the subnets route through (route tables, NAT gateways, VPC
 * endpoints). A shared read that failed leaves its resources out and its error in `errors`.
 */
export async function collectPath(ctx: CollectContext): Promise<{ resources: PathResource[]; errors: StepError[] }> {
  const resources: PathResource[] = [];
  const errors: StepError[] = [];
  const add = (kind: PathResource["kind"], ids: readonly (string | undefined)[]) => {
    for (const id of ids) if (id) resources.push({ kind, id });
  };
  add("service", [ctx.target.service, ctx.target.serviceArn]);
  add(
    "target-group",
    ctx.service.loadBalancers.map((lb) => lb.targetGroupArn),
  );
  add("security-group", ctx.service.network?.securityGroups ?? []);
  add("subnet", ctx.service.network?.subnets ?? []);

  const [definitions, loadBalancers, network] = await Promise.all([
    ctx.taskDefinitions().catch(() => undefined),
    ctx.loadBalancers(),
    ctx.networkPath(),
  ]);
  if (definitions) {
    resources.push(...taskDefinitionResources(definitions.current));
    if (definitions.previous) resources.push(...taskDefinitionResources(definitions.previous));
  } else add("task-definition", [ctx.service.taskDefinition]);
  add("load-balancer", loadBalancers.arns);
  add(
    "security-group",
    loadBalancers.loadBalancers.flatMap((lb) => lb.securityGroups),
  );
  if (loadBalancers.error) errors.push(loadBalancers.error);
  for (const table of network.routeTables) {
    add("route-table", [table.routeTableId]);
    add("nat-gateway", table.natGatewayIds);
    add("vpc-endpoint", table.gatewayEndpointIds);
  }
  add("vpc-endpoint", network.vpcEndpointIds);
  errors.push(...network.errors);

  const seen = new Set<string>();
  return {
    resources: resources.filter((r) => {
      const key = `${r.kind} ${r.id}`;
      return seen.has(key) ? false : (seen.add(key), true);
    }),
    errors,
  };
}
