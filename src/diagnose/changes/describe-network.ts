import { clock, isRecord, items, previous, resourceName, type Describer, type Params } from "./params";

/**
 * Describers for the traffic path: Elastic Load Balancing (target groups, listeners, rules, load balancers) and
 * EC2 networking (security-group rules, routes, NAT gateways, VPC endpoints). Field names are CloudTrail's
 * `requestParameters` (test/fixtures/cloudtrail-changes.ts quotes where each shape comes from).
 */

/** ModifyTargetGroup's health-check fields, in the words a person reads. */
const HEALTH_CHECK_FIELDS: readonly (readonly [key: string, label: string])[] = [
  ["healthCheckPort", "health-check port"],
  ["healthCheckPath", "health-check path"],
  ["healthCheckProtocol", "health-check protocol"],
  ["healthCheckEnabled", "health checks enabled"],
  ["healthCheckIntervalSeconds", "health-check interval (s)"],
  ["healthCheckTimeoutSeconds", "health-check timeout (s)"],
  ["healthyThresholdCount", "healthy threshold"],
  ["unhealthyThresholdCount", "unhealthy threshold"],
  ["matcher", "success codes"],
];

function fieldValue(p: Params, key: string): string | undefined {
  if (key !== "matcher") return p.str(key);
  const m = p.get("matcher");
  if (!isRecord(m)) return undefined;
  const code = m["httpCode"] ?? m["HttpCode"] ?? m["grpcCode"] ?? m["GrpcCode"];
  return typeof code === "string" ? code : undefined;
}

const modifyTargetGroup: Describer = (p, ctx) => {
  const arn = p.str("targetGroupArn");
  const tg = resourceName(arn) ?? "the target group";
  const same = (q: Params) => q.str("targetGroupArn") === arn;
  const changes: string[] = [];
  const before: string[] = [];
  for (const [key, label] of HEALTH_CHECK_FIELDS) {
    const now = fieldValue(p, key);
    if (now === undefined) continue;
    // The old value: an earlier change of the same field in the snapshot (the snapshot's own target group shows the
    // state after the change, so it cannot tell). Never guessed: unknown stays "→ 8081".
    const earlier = previous(
      ctx,
      ["ModifyTargetGroup", "CreateTargetGroup"],
      (q) => same(q) && fieldValue(q, key) !== undefined,
    );
    const old = earlier ? fieldValue(earlier.params, key) : undefined;
    changes.push(old !== undefined ? `${label} ${old} → ${now}` : `${label} → ${now}`);
    if (old !== undefined) before.push(`${label} ${old}`);
  }
  const what = `target group ${tg}: ${changes.join(", ") || "settings changed"}`;
  return before.length > 0
    ? { what, before: before.join(", "), revert: `set the ${before.join(", ")} again on target group ${tg}` }
    : { what, revert: `restore target group ${tg}'s health-check settings from before ${clock(ctx.event.eventTime)}` };
};

const modifyTargetGroupAttributes: Describer = (p, ctx) => {
  const tg = resourceName(p.str("targetGroupArn")) ?? "the target group";
  const attrs = p
    .list("attributes")
    .flatMap((a) => (isRecord(a) ? [`${String(a["key"] ?? a["Key"])} → ${String(a["value"] ?? a["Value"])}`] : []));
  return {
    what: `target group ${tg} attributes: ${attrs.join(", ") || "changed"}`,
    revert: `restore target group ${tg}'s attributes from before ${clock(ctx.event.eventTime)}`,
  };
};

/** "forward to payment-api-tg", "fixed-response 503", "redirect". */
function actionsText(p: Params, key: string): string {
  const texts = p.list(key).flatMap((a) => {
    if (!isRecord(a)) return [];
    const type = String(a["type"] ?? a["Type"] ?? "?");
    const tgs = [
      a["targetGroupArn"] ?? a["TargetGroupArn"],
      ...items(isRecord(a["forwardConfig"]) ? a["forwardConfig"]["targetGroups"] : undefined).map((t) =>
        isRecord(t) ? t["targetGroupArn"] : undefined,
      ),
    ].filter((t): t is string => typeof t === "string");
    const fixed = isRecord(a["fixedResponseConfig"]) ? ` ${String(a["fixedResponseConfig"]["statusCode"] ?? "")}` : "";
    return [tgs.length > 0 ? `${type} to ${tgs.map((t) => resourceName(t)).join(", ")}` : `${type}${fixed}`];
  });
  return texts.join("; ");
}

const modifyListener: Describer = (p, ctx) => {
  const listener = p.str("listenerArn");
  const lb = resourceName(listener) ?? "the load balancer";
  const parts = [
    p.str("port") ? `port → ${p.str("port")}` : undefined,
    p.str("protocol") ? `protocol → ${p.str("protocol")}` : undefined,
    p.has("defaultActions") ? `default action → ${actionsText(p, "defaultActions") || "changed"}` : undefined,
    p.has("certificates") ? "certificate replaced" : undefined,
    p.str("sslPolicy") ? `TLS policy → ${p.str("sslPolicy")}` : undefined,
  ].filter(Boolean);
  const earlier = previous(
    ctx,
    ["ModifyListener", "CreateListener"],
    (q) => q.str("listenerArn") === listener && q.has("defaultActions"),
  );
  const old = earlier ? actionsText(earlier.params, "defaultActions") : undefined;
  const what = `listener of ${lb}: ${parts.join(", ") || "changed"}`;
  return old
    ? {
        what: what.replace("default action →", `default action ${old} →`),
        before: `default action ${old}`,
        revert: `set the listener's default action back to ${old}`,
      }
    : { what, revert: `restore the listener of ${lb} as it was before ${clock(ctx.event.eventTime)}` };
};

const modifyRule: Describer = (p, ctx) => {
  const rule = p.str("ruleArn");
  const lb = resourceName(rule) ?? "the load balancer";
  const parts = [
    p.has("actions") ? `actions → ${actionsText(p, "actions") || "changed"}` : undefined,
    p.has("conditions") ? "conditions changed" : undefined,
  ].filter(Boolean);
  const earlier = previous(ctx, ["ModifyRule"], (q) => q.str("ruleArn") === rule && q.has("actions"));
  const old = earlier ? actionsText(earlier.params, "actions") : undefined;
  return {
    what: `listener rule of ${lb}: ${parts.join(", ") || "changed"}${old ? ` (was ${old})` : ""}`,
    ...(old ? { before: `actions ${old}` } : {}),
    revert: old
      ? `set the rule's actions back to ${old}`
      : `restore the listener rule of ${lb} as it was before ${clock(ctx.event.eventTime)}`,
  };
};

/** One IpPermission of a security-group call: "tcp/8080 from sg-0abc", "all traffic from 0.0.0.0/0". */
function permissionText(perm: unknown, direction: "from" | "to"): string[] {
  if (!isRecord(perm)) return [];
  const protocol = String(perm["ipProtocol"] ?? perm["IpProtocol"] ?? "?");
  const from = perm["fromPort"] ?? perm["FromPort"];
  const to = perm["toPort"] ?? perm["ToPort"];
  const ports =
    protocol === "-1" ? "all traffic" : `${protocol}/${from === to || to === undefined ? from : `${from}-${to}`}`;
  const sources = [
    ...items(perm["groups"]).map((g) => (isRecord(g) ? g["groupId"] : undefined)),
    ...items(perm["ipRanges"]).map((r) => (isRecord(r) ? r["cidrIp"] : undefined)),
    ...items(perm["ipv6Ranges"]).map((r) => (isRecord(r) ? r["cidrIpv6"] : undefined)),
    ...items(perm["prefixListIds"]).map((r) => (isRecord(r) ? r["prefixListId"] : undefined)),
  ].filter((s): s is string => typeof s === "string");
  return [sources.length > 0 ? `${ports} ${direction} ${sources.join(", ")}` : ports];
}

function securityGroupRule(direction: "ingress" | "egress", verb: "authorized" | "revoked"): Describer {
  return (p) => {
    const group = p.str("groupId") ?? p.str("groupName") ?? "the security group";
    const word = direction === "ingress" ? "from" : "to";
    const rules = p.list("ipPermissions").flatMap((perm) => permissionText(perm, word));
    const ruleIds = p
      .list("securityGroupRuleIds")
      .flatMap((r) => (isRecord(r) ? [String(r["securityGroupRuleId"] ?? "")] : typeof r === "string" ? [r] : []));
    const list = rules.length > 0 ? rules.join("; ") : ruleIds.length > 0 ? `rule ${ruleIds.join(", ")}` : "a rule";
    const what = `${direction} ${list} ${verb} on ${group}`;
    return verb === "revoked"
      ? { what, before: `${direction} ${list} allowed`, revert: `authorize ${direction} ${list} on ${group} again` }
      : { what, before: `no ${direction} ${list}`, revert: `revoke ${direction} ${list} on ${group}` };
  };
}

/** The route's target in any of CloudTrail's keys. */
function routeTarget(p: Params): string | undefined {
  for (const key of [
    "natGatewayId",
    "gatewayId",
    "vpcEndpointId",
    "transitGatewayId",
    "networkInterfaceId",
    "instanceId",
    "vpcPeeringConnectionId",
    "egressOnlyInternetGatewayId",
    "localGatewayId",
    "carrierGatewayId",
    "coreNetworkArn",
  ])
    if (p.str(key)) return p.str(key);
  return undefined;
}

function destination(p: Params): string {
  return p.str("destinationCidrBlock") ?? p.str("destinationIpv6CidrBlock") ?? p.str("destinationPrefixListId") ?? "?";
}

const routeChange: Describer = (p, ctx) => {
  const table = p.str("routeTableId") ?? "the route table";
  const dest = destination(p);
  const same = (q: Params) => q.str("routeTableId") === p.str("routeTableId") && destination(q) === dest;
  const earlier = previous(ctx, ["CreateRoute", "ReplaceRoute"], same);
  const old = earlier ? routeTarget(earlier.params) : undefined;
  if (ctx.event.eventName === "DeleteRoute")
    return {
      what: `route ${dest} deleted from ${table}${old ? ` (was → ${old})` : ""}`,
      before: `route ${dest}${old ? ` → ${old}` : ""}`,
      revert: `create the route ${dest}${old ? ` → ${old}` : ""} in ${table} again`,
    };
  const now = routeTarget(p) ?? "?";
  return {
    what: `route ${dest} in ${table}: ${old ? `${old} → ${now}` : `→ ${now}`}`,
    ...(old ? { before: `route ${dest} → ${old}` } : {}),
    revert: old
      ? `point route ${dest} in ${table} back at ${old}`
      : `restore route ${dest} in ${table} as it was before ${clock(ctx.event.eventTime)}`,
  };
};

const deleteNatGateway: Describer = (p) => {
  const nat = p.str("natGatewayId") ?? "a NAT gateway";
  return {
    what: `NAT gateway ${nat} deleted`,
    before: `NAT gateway ${nat} available`,
    revert: `create a NAT gateway in its public subnet and point the private route tables' 0.0.0.0/0 at it (tasks without a public IP reach ECR, Secrets Manager and CloudWatch Logs through it)`,
  };
};

const modifyVpcEndpoint: Describer = (p) => {
  const endpoint = p.str("vpcEndpointId") ?? "a VPC endpoint";
  const parts = [
    p.has("policyDocument") || p.bool("resetPolicy") ? "endpoint policy replaced" : undefined,
    ...p.strings("removeSecurityGroupId").map((g) => `security group ${g} removed`),
    ...p.strings("addSecurityGroupId").map((g) => `security group ${g} added`),
    ...p.strings("removeSubnetId").map((s) => `subnet ${s} removed`),
    ...p.strings("removeRouteTableId").map((r) => `route table ${r} removed`),
    p.bool("privateDnsEnabled") === false ? "private DNS turned off" : undefined,
  ].filter((x): x is string => Boolean(x));
  const undo = parts.map((x) =>
    x
      .replace(/ removed$/, " added back")
      .replace(/ added$/, " removed")
      .replace("turned off", "turned on"),
  );
  return {
    what: `VPC endpoint ${endpoint}: ${parts.join(", ") || "modified"}`,
    revert:
      undo.length > 0 && !parts.includes("endpoint policy replaced")
        ? `on ${endpoint}: ${undo.join(", ")}`
        : `restore VPC endpoint ${endpoint} as it was before the change`,
  };
};

const deleteVpcEndpoints: Describer = (p) => {
  const ids = p.strings("vpcEndpointId");
  const list = ids.join(", ") || "VPC endpoints";
  return {
    what: `VPC endpoint${ids.length === 1 ? "" : "s"} ${list} deleted`,
    before: `VPC endpoint${ids.length === 1 ? "" : "s"} ${list} in place`,
    revert: `create the deleted VPC endpoint${ids.length === 1 ? "" : "s"} again (same service, subnets, security groups and private DNS)`,
  };
};

const setSecurityGroups: Describer = (p, ctx) => {
  const lb = resourceName(p.str("loadBalancerArn")) ?? "the load balancer";
  const groups = p.strings("securityGroups");
  return {
    what: `load balancer ${lb} security groups → ${groups.join(", ") || "none"}`,
    revert: `restore load balancer ${lb}'s security groups from before ${clock(ctx.event.eventTime)}`,
  };
};

const associateRouteTable: Describer = (p, ctx) => {
  const subnet = p.str("subnetId") ?? "a subnet";
  const table = p.str("routeTableId") ?? "?";
  const earlier = previous(ctx, ["AssociateRouteTable"], (q) => q.str("subnetId") === p.str("subnetId"));
  const old = earlier?.params.str("routeTableId");
  return {
    what: `subnet ${subnet} now routes through ${old ? `${old} → ` : ""}${table}`,
    ...(old ? { before: `subnet ${subnet} on ${old}` } : {}),
    revert: old
      ? `associate subnet ${subnet} with ${old} again`
      : `associate subnet ${subnet} with the route table it used before (the VPC's main table if it had none)`,
  };
};

export const NETWORK_DESCRIBERS: Readonly<Record<string, Describer>> = {
  ModifyTargetGroup: modifyTargetGroup,
  ModifyTargetGroupAttributes: modifyTargetGroupAttributes,
  ModifyListener: modifyListener,
  ModifyRule: modifyRule,
  SetSecurityGroups: setSecurityGroups,
  AuthorizeSecurityGroupIngress: securityGroupRule("ingress", "authorized"),
  AuthorizeSecurityGroupEgress: securityGroupRule("egress", "authorized"),
  RevokeSecurityGroupIngress: securityGroupRule("ingress", "revoked"),
  RevokeSecurityGroupEgress: securityGroupRule("egress", "revoked"),
  CreateRoute: routeChange,
  ReplaceRoute: routeChange,
  DeleteRoute: routeChange,
  AssociateRouteTable: associateRouteTable,
  DeleteNatGateway: deleteNatGateway,
  ModifyVpcEndpoint: modifyVpcEndpoint,
  DeleteVpcEndpoints: deleteVpcEndpoints,
};
