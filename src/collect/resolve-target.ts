import {
  DescribeServicesCommand,
  paginateListClusters,
  paginateListServices,
  type ECSClient,
  type Service as SdkService,
} from "@aws-sdk/client-ecs";
import { lastSegment } from "../aws/arn";
import { distance } from "fastest-levenshtein";
import { awsCall, collectPages } from "../aws/aws-call";
import { awsErrorName } from "../aws/step-error";
import { mapLimit } from "../util/map-limit";
import { TargetAmbiguousError, TargetNotFoundError, type TargetCandidate } from "../errors";
import type { Target } from "../evidence/schema";
import { clusterName, parseTargetQuery, type TargetQuery } from "./target-query";
import { EmptyAnswerError } from "./empty-answer";
import { AwsCallError } from "../errors";

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

  const answers = await mapLimit(clusters, SEARCH_CONCURRENCY, (c) =>
    describeIn(ecs, c, service, cluster !== undefined),
  );
  const found = answers.flatMap((a) => (Array.isArray(a) ? a : []));
  if (found.length === 1) return toResolved(found[0]!);
  if (found.length > 1) {
    const candidates = found.map(candidateOf);
    throw new TargetAmbiguousError(
      service,
      candidates,
      `"${service}" exists in ${found.length} clusters: ${candidates.map((c) => `${c.cluster}/${c.service}`).join(", ")}. Say which with --cluster.`,
    );
  }

  // A cluster whose answer was empty (no service, no failure) may hold the service: not found is not known.
  const unknown = clusters.filter((_, i) => !Array.isArray(answers[i]));
  if (unknown.length > 0) {
    const names = unknown.map(clusterName);
    throw new AwsCallError("ecs:DescribeServices", {
      cause: new EmptyAnswerError(
        `DescribeServices answered with neither the service "${service}" nor a failure for it in ${names.length === 1 ? `cluster ${names[0]}` : `clusters ${shortList(names)}`}: an empty or malformed answer, so whether the service exists there is unknown — run again`,
      ),
    });
  }

  const similar = await similarServices(ecs, clusters, service);
  const searched = clusters.map(clusterName);
  const where =
    searched.length === 1 ? `cluster ${searched[0]}` : `${searched.length} clusters (${shortList(searched)})`;
  const hint = similar.names.length > 0 ? ` Did you mean ${shortList(similar.names)}?` : "";
  // Without the listing there can be no suggestion: say so, rather than let "no suggestion" read as "nothing close".
  const unlisted =
    similar.unlisted.length > 0
      ? ` (Could not list the services of ${shortList(similar.unlisted.map((u) => u.cluster))} to suggest similar names: ${similar.unlisted[0]!.reason} on ecs:ListServices.)`
      : "";
  throw new TargetNotFoundError(service, searched, `No active service "${service}" in ${where}.${hint}${unlisted}`);
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

/** The cluster's active services of that name, or "empty" when the answer named neither the service nor a failure. */
async function describeIn(
  ecs: ECSClient,
  cluster: string,
  service: string,
  named: boolean,
): Promise<SdkService[] | "empty"> {
  try {
    const out = await awsCall("ecs:DescribeServices", () =>
      ecs.send(new DescribeServicesCommand({ cluster, services: [service] })),
    );
    // AWS answers a missing service with failures [{ reason: "MISSING" }]; an answer with neither is malformed.
    if ((out?.services?.length ?? 0) + (out?.failures?.length ?? 0) === 0) return "empty";
    // DescribeServices still returns a deleted service for a while, with status INACTIVE: it is not a target.
    return (out.services ?? []).filter((s) => s.status !== "INACTIVE");
  } catch (error) {
    if (awsErrorName(error) !== "ClusterNotFoundException") throw error;
    // A cluster the person named that does not exist is its own mistake, not a missing service.
    if (named) throw await clusterNotFound(ecs, cluster, service);
    return [];
  }
}

async function clusterNotFound(ecs: ECSClient, cluster: string, service: string): Promise<TargetNotFoundError> {
  const asked = clusterName(cluster);
  let names: string[] = [];
  try {
    names = (await listClusters(ecs)).map(clusterName);
  } catch {
    // The listing is a courtesy; the sentence stands without it.
  }
  const close = closest(asked, names);
  const known = names.length > 0 ? ` Clusters here: ${shortList(names)}.` : "";
  const hint = close.length > 0 ? ` Did you mean ${shortList(close)}?` : "";
  return new TargetNotFoundError(
    service,
    [],
    `No ECS cluster "${asked}" in this account and region.${hint}${known} Check --cluster and --region.`,
  );
}

/** Names within a small edit distance of `name` (a typo), or containing it, nearest first. */
export function closest(name: string, names: readonly string[], max = 5): string[] {
  const needle = name.toLowerCase();
  const limit = Math.max(2, Math.floor(needle.length / 4));
  return names
    .map((n) => {
      const bare = (n.split("/").pop() ?? n).toLowerCase();
      const d = bare.includes(needle) || needle.includes(bare) ? 0.5 : distance(needle, bare);
      return { n, d };
    })
    .filter((x) => x.d <= limit)
    .sort((a, b) => a.d - b.d || a.n.localeCompare(b.n))
    .slice(0, max)
    .map((x) => x.n);
}

/** Services whose name is a likely typo of the query (edit distance) or contains it, to suggest after a miss. */
async function similarServices(
  ecs: ECSClient,
  clusters: string[],
  service: string,
): Promise<{ names: string[]; unlisted: { cluster: string; reason: string }[] }> {
  const unlisted: { cluster: string; reason: string }[] = [];
  const lists = await mapLimit(clusters.slice(0, 20), SEARCH_CONCURRENCY, async (cluster) => {
    try {
      return await awsCall("ecs:ListServices", async () => {
        const names: string[] = [];
        let pages = 0;
        for await (const page of paginateListServices({ client: ecs, pageSize: 100 }, { cluster })) {
          for (const arn of page.serviceArns ?? []) names.push(`${clusterName(cluster)}/${lastSegment(arn)}`);
          if (++pages >= 10) break; // 1,000 names per cluster is plenty for a suggestion
        }
        return names;
      });
    } catch (error) {
      // Suggestions are a courtesy; a denied ListServices must not hide the real answer, but it is said.
      const cause = error instanceof AwsCallError ? error.cause : error;
      unlisted.push({ cluster: clusterName(cluster), reason: awsErrorName(cause) ?? "an error" });
      return [];
    }
  });
  return { names: closest(service, lists.flat()), unlisted };
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
