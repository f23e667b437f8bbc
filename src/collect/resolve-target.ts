import {
  DescribeServicesCommand,
  paginateListClusters,
  paginateListServices,
  type ECSClient,
  type Service as SdkService,
} from "@aws-sdk/client-ecs";
import { lastSegment } from "../aws/arn";
import { awsCall, collectPages } from "../aws/aws-call";
import { awsErrorName } from "../aws/step-error";
import { mapLimit } from "../util/map-limit";
import { TargetAmbiguousError, TargetNotFoundError, type TargetCandidate } from "../errors";
import type { Target } from "../evidence/schema";
import { clusterName, parseTargetQuery, type TargetQuery } from "./target-query";

export { clusterName, parseTargetQuery, type TargetQuery };

/** A resolved service: where it lives and what DescribeServices said about it. */
export interface ResolvedTarget {
  readonly target: Target;
  readonly service: SdkService;
}

/** Clusters searched at once when no cluster is given. */
const SEARCH_CONCURRENCY = 5;
/** Clusters searched at most (an account with more should pass --cluster). */
const MAX_CLUSTERS = 100;
/** ListClusters pages read at most (empty pages may still carry a token). */
const MAX_CLUSTER_PAGES = 10;

/**
 * Finds the service: in the given cluster, else in every cluster of the account and region
 * (ListClusters, then DescribeServices per cluster). No match → `TargetNotFoundError` naming the clusters searched
 * and any similar names; several → `TargetAmbiguousError` listing the candidates.
 */
export async function resolveTarget(ecs: ECSClient, query: TargetQuery): Promise<ResolvedTarget> {
  const { service, cluster } = parseTargetQuery(query);
  const clusters = cluster ? [cluster] : await listClusters(ecs);
  if (clusters.length === 0) {
    throw new TargetNotFoundError(
      service,
      [],
      `No ECS clusters in this account and region, so no service "${service}". Check --region and the AWS profile.`,
    );
  }

  const found = (await mapLimit(clusters, SEARCH_CONCURRENCY, (c) => describeIn(ecs, c, service))).flat();
  if (found.length === 1) return toResolved(found[0]!);
  if (found.length > 1) {
    const candidates = found.map(candidateOf);
    throw new TargetAmbiguousError(
      service,
      candidates,
      `"${service}" exists in ${found.length} clusters: ${candidates.map((c) => `${c.cluster}/${c.service}`).join(", ")}. Say which with --cluster.`,
    );
  }

  const similar = await similarServices(ecs, clusters, service);
  const searched = clusters.map(clusterName);
  const where =
    searched.length === 1 ? `cluster ${searched[0]}` : `${searched.length} clusters (${shortList(searched)})`;
  const hint = similar.length > 0 ? ` Did you mean ${shortList(similar)}?` : "";
  throw new TargetNotFoundError(service, searched, `No active service "${service}" in ${where}.${hint}`);
}

async function listClusters(ecs: ECSClient): Promise<string[]> {
  const { items } = await awsCall("ecs:ListClusters", () =>
    collectPages(paginateListClusters({ client: ecs, pageSize: 100 }, {}), (page) => page.clusterArns, {
      maxItems: MAX_CLUSTERS,
      maxPages: MAX_CLUSTER_PAGES,
    }),
  );
  return items;
}

async function describeIn(ecs: ECSClient, cluster: string, service: string): Promise<SdkService[]> {
  try {
    const out = await awsCall("ecs:DescribeServices", () =>
      ecs.send(new DescribeServicesCommand({ cluster, services: [service] })),
    );
    // DescribeServices still returns a deleted service for a while, with status INACTIVE: it is not a target.
    return (out.services ?? []).filter((s) => s.status !== "INACTIVE");
  } catch (error) {
    if (awsErrorName(error) === "ClusterNotFoundException") return [];
    throw error;
  }
}

/** Names containing the query (or contained in it), to suggest when nothing matched exactly. */
async function similarServices(ecs: ECSClient, clusters: string[], service: string): Promise<string[]> {
  const needle = service.toLowerCase();
  const lists = await mapLimit(clusters.slice(0, 20), SEARCH_CONCURRENCY, async (cluster) => {
    try {
      return await awsCall("ecs:ListServices", async () => {
        const names: string[] = [];
        for await (const page of paginateListServices({ client: ecs, pageSize: 100 }, { cluster })) {
          for (const arn of page.serviceArns ?? []) {
            const name = lastSegment(arn);
            if (name.toLowerCase().includes(needle) || needle.includes(name.toLowerCase()))
              names.push(`${clusterName(cluster)}/${name}`);
          }
          if (names.length >= 10) break;
        }
        return names;
      });
    } catch {
      return []; // Suggestions are a courtesy; a denied ListServices must not hide the real answer.
    }
  });
  return lists.flat().slice(0, 5);
}

function toResolved(service: SdkService): ResolvedTarget {
  const arn = service.serviceArn ?? "";
  const [, , , region = "", account = ""] = arn.split(":");
  return {
    service,
    target: {
      account: account || undefined,
      region,
      cluster: clusterName(service.clusterArn ?? ""),
      clusterArn: service.clusterArn ?? "",
      service: service.serviceName ?? "",
      serviceArn: arn,
    },
  };
}

function candidateOf(service: SdkService): TargetCandidate {
  return {
    cluster: clusterName(service.clusterArn ?? ""),
    service: service.serviceName ?? "",
    serviceArn: service.serviceArn ?? "",
  };
}

function shortList(items: string[]): string {
  return items.length <= 5 ? items.join(", ") : `${items.slice(0, 5).join(", ")} and ${items.length - 5} more`;
}
