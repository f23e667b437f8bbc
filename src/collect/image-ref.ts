/**
 * Container image references, parsed the way Docker and ECS read them: `[registry/]path[:tag][@digest]`.
 * Pure; no lookups.
 */

export interface ImageRef {
  /** The reference exactly as the task definition has it. */
  readonly image: string;
  readonly registry: "ecr" | "other";
  /** Registry host; `docker.io` for Docker Hub references without one. */
  readonly host: string;
  /** Repository path inside the registry (`payment-api`, `team/payment-api`, `library/nginx`). */
  readonly repositoryName: string;
  /** The tag; `latest` when the reference names neither a tag nor a digest (Docker's default). */
  readonly tag?: string | undefined;
  /** `sha256:…` when the reference is pinned by digest. */
  readonly digest?: string | undefined;
  /** ECR only: the 12-digit account id (DescribeImages `registryId`). */
  readonly registryId?: string | undefined;
  /** ECR only: the registry's region. */
  readonly region?: string | undefined;
}

/**
 * Private ECR hosts: `ACCOUNT.dkr.ecr.REGION.amazonaws.com` (`.com.cn` in China), the FIPS form
 * `ACCOUNT.dkr.ecr-fips.REGION.amazonaws.com` and the dual-stack form `ACCOUNT.dkr-ecr.REGION.on.aws`.
 * `public.ecr.aws` is ECR Public, a different API: it counts as "other".
 */
const ECR_HOST =
  /^(\d{12})\.(?:dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?|dkr-ecr(?:-fips)?\.([a-z0-9-]+)\.on\.aws)$/;

const DOCKER_HUB = "docker.io";

/**
 * Parses an image reference.
 *
 * @example parseImageRef("123456789012.dkr.ecr.us-east-1.amazonaws.com/payment-api:v2")
 * // { registry: "ecr", registryId: "123456789012", region: "us-east-1", repositoryName: "payment-api", tag: "v2", … }
 * @example parseImageRef("nginx") // { registry: "other", host: "docker.io", repositoryName: "library/nginx", tag: "latest" }
 */
export function parseImageRef(image: string): ImageRef {
  const trimmed = image.trim();
  const at = trimmed.indexOf("@");
  const digest = at >= 0 ? trimmed.slice(at + 1) || undefined : undefined;
  const nameAndTag = at >= 0 ? trimmed.slice(0, at) : trimmed;

  // The tag is after the last ':' of the last path component; a ':' before a '/' is a registry port.
  const lastSlash = nameAndTag.lastIndexOf("/");
  const colon = nameAndTag.lastIndexOf(":");
  const hasTag = colon > lastSlash;
  const name = hasTag ? nameAndTag.slice(0, colon) : nameAndTag;
  const explicitTag = hasTag ? nameAndTag.slice(colon + 1) || undefined : undefined;
  const tag = explicitTag ?? (digest ? undefined : "latest");

  // Docker's rule: the first component is a registry host when it has a '.' or a ':' or is `localhost`.
  const firstSlash = name.indexOf("/");
  const first = firstSlash >= 0 ? name.slice(0, firstSlash) : "";
  const hasHost = firstSlash >= 0 && (first.includes(".") || first.includes(":") || first === "localhost");
  const host = hasHost ? first.toLowerCase() : DOCKER_HUB;
  const path = hasHost ? name.slice(firstSlash + 1) : name;
  const repositoryName = host === DOCKER_HUB && !path.includes("/") && path !== "" ? `library/${path}` : path;

  const ecr = ECR_HOST.exec(host);
  if (ecr) {
    return {
      image,
      registry: "ecr",
      host,
      repositoryName,
      tag,
      digest,
      registryId: ecr[1],
      region: ecr[2] ?? ecr[3],
    };
  }
  return { image, registry: "other", host, repositoryName, tag, digest };
}
