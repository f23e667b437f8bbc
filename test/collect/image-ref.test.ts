import { describe, expect, it } from "vitest";
import { parseImageRef } from "../../src/collect/image-ref";

const DIGEST = "sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945";

describe("parseImageRef", () => {
  it.each([
    {
      case: "ECR with a tag",
      image: "123456789012.dkr.ecr.us-east-1.amazonaws.com/payment-api:v2",
      want: {
        registry: "ecr",
        host: "123456789012.dkr.ecr.us-east-1.amazonaws.com",
        registryId: "123456789012",
        region: "us-east-1",
        repositoryName: "payment-api",
        tag: "v2",
        digest: undefined,
      },
    },
    {
      case: "ECR with a nested repository and no tag (Docker's default: latest)",
      image: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/payment-api",
      want: {
        registry: "ecr",
        registryId: "123456789012",
        region: "eu-west-1",
        repositoryName: "team/payment-api",
        tag: "latest",
        digest: undefined,
      },
    },
    {
      case: "ECR pinned by digest (no tag implied)",
      image: `123456789012.dkr.ecr.us-east-1.amazonaws.com/payment-api@${DIGEST}`,
      want: { registry: "ecr", repositoryName: "payment-api", tag: undefined, digest: DIGEST },
    },
    {
      case: "ECR with both tag and digest",
      image: `123456789012.dkr.ecr.us-east-1.amazonaws.com/payment-api:v2@${DIGEST}`,
      want: { registry: "ecr", repositoryName: "payment-api", tag: "v2", digest: DIGEST },
    },
    {
      case: "ECR in China (.com.cn)",
      image: "123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/app:1.0",
      want: { registry: "ecr", registryId: "123456789012", region: "cn-north-1", repositoryName: "app", tag: "1.0" },
    },
    {
      case: "ECR FIPS endpoint",
      image: "123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com/app:1.0",
      want: { registry: "ecr", region: "us-gov-west-1", repositoryName: "app", tag: "1.0" },
    },
    {
      case: "ECR dual-stack endpoint",
      image: "123456789012.dkr-ecr.us-east-1.on.aws/app:1.0",
      want: { registry: "ecr", registryId: "123456789012", region: "us-east-1", repositoryName: "app", tag: "1.0" },
    },
    {
      case: "Docker Hub official image, bare name",
      image: "nginx",
      want: {
        registry: "other",
        host: "docker.io",
        repositoryName: "library/nginx",
        tag: "latest",
        registryId: undefined,
        region: undefined,
      },
    },
    {
      case: "Docker Hub official image with a tag",
      image: "nginx:1.27-alpine",
      want: { registry: "other", host: "docker.io", repositoryName: "library/nginx", tag: "1.27-alpine" },
    },
    {
      case: "Docker Hub user image",
      image: "bitnami/redis:7.2",
      want: { registry: "other", host: "docker.io", repositoryName: "bitnami/redis", tag: "7.2" },
    },
    {
      case: "Docker Hub with an explicit host",
      image: "docker.io/library/nginx:1.27",
      want: { registry: "other", host: "docker.io", repositoryName: "library/nginx", tag: "1.27" },
    },
    {
      case: "GitHub Container Registry",
      image: "ghcr.io/acme/payment-api:sha-1a2b3c4",
      want: { registry: "other", host: "ghcr.io", repositoryName: "acme/payment-api", tag: "sha-1a2b3c4" },
    },
    {
      case: "a registry with a port and no tag",
      image: "registry.example.com:5000/team/app",
      want: { registry: "other", host: "registry.example.com:5000", repositoryName: "team/app", tag: "latest" },
    },
    {
      case: "localhost registry with a port and a tag",
      image: "localhost:5000/app:dev",
      want: { registry: "other", host: "localhost:5000", repositoryName: "app", tag: "dev" },
    },
    {
      case: "ECR Public (a different API)",
      image: "public.ecr.aws/nginx/nginx:1.27",
      want: { registry: "other", host: "public.ecr.aws", repositoryName: "nginx/nginx", tag: "1.27" },
    },
    {
      case: "a host that only looks like ECR",
      image: "123456789012.dkr.ecr.us-east-1.amazonaws.com.evil.example/app:1",
      want: { registry: "other", repositoryName: "app", tag: "1", registryId: undefined },
    },
  ])("$case", ({ image, want }) => {
    const ref = parseImageRef(image);
    expect(ref.image).toBe(image);
    for (const [key, value] of Object.entries(want)) {
      expect(ref[key as keyof typeof ref], key).toBe(value);
    }
  });
});
