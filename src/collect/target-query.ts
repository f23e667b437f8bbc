import { InvalidNameError } from "../errors";

/**
 * What a person typed to name a service, checked against ECS naming rules — pure, no AWS: the Slack function
 * validates with it on the 3-second path without loading the ECS client, and the resolver uses it before any call.
 */

export interface TargetQuery {
  /** `payment-api`, `prod/payment-api`, or a service ARN. */
  readonly service: string;
  /** Cluster name or ARN; unset → search every cluster in the account and region. */
  readonly cluster?: string | undefined;
}

/** ECS: "Up to 255 letters (uppercase and lowercase), numbers, underscores, and hyphens are allowed." */
const NAME = /^[A-Za-z0-9_-]{1,255}$/;
const SERVICE_ARN =
  /^arn:aws[a-z-]*:ecs:([a-z0-9-]+):(\d{12}):service\/(?:([A-Za-z0-9_-]{1,255})\/)?([A-Za-z0-9_-]{1,255})$/;
const CLUSTER_ARN = /^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:cluster\/([A-Za-z0-9_-]{1,255})$/;

/** Splits and validates the user's words before any AWS call. */
export function parseTargetQuery(query: TargetQuery): { service: string; cluster?: string | undefined } {
  const raw = query.service.trim();
  let service = raw;
  let cluster = query.cluster?.trim() || undefined;
  const arn = SERVICE_ARN.exec(raw);
  if (arn) {
    service = arn[4]!;
    cluster = cluster ?? arn[3];
  } else if (raw.includes("/")) {
    const parts = raw.split("/");
    if (parts.length !== 2)
      throw new InvalidNameError(`"${raw}" is not a service: use NAME, CLUSTER/NAME or a service ARN`);
    [cluster, service] = [cluster ?? parts[0], parts[1]!];
  }
  if (!NAME.test(service)) {
    throw new InvalidNameError(
      `"${truncate(service)}" is not a valid ECS service name: up to 255 letters, numbers, hyphens and underscores`,
    );
  }
  if (cluster !== undefined && !NAME.test(cluster) && !CLUSTER_ARN.test(cluster)) {
    throw new InvalidNameError(
      `"${truncate(cluster)}" is not a valid ECS cluster name or ARN: up to 255 letters, numbers, hyphens and underscores`,
    );
  }
  return { service, cluster };
}

export function clusterName(clusterOrArn: string): string {
  const match = CLUSTER_ARN.exec(clusterOrArn);
  return match ? match[1]! : clusterOrArn;
}

function truncate(text: string): string {
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}
