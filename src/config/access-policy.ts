/**
 * The `access:` decision (who may ask what, from where), pure: no schema library, no YAML, no I/O, so the Slack
 * function can run it on its 3-second path. The section is validated by ./access (zod) when it is loaded.
 */

/** What a person may ask for: the slash commands and the buttons that start work. */
export type AccessCommand = "diagnose" | "rerun" | "evidence" | "export";

export interface AccessEntry {
  readonly teams: readonly string[];
  readonly channels?: readonly string[] | undefined;
  readonly commands: readonly AccessCommand[];
  readonly clusters: readonly string[];
  readonly services: readonly string[];
  readonly users: readonly string[];
  readonly usergroups: readonly string[];
}

export interface AccessPolicy {
  readonly contact?: string | undefined;
  readonly allow: readonly AccessEntry[];
}

/** No `access:` section: nobody may run anything from Slack (`/ecs help` still answers). */
export const DEFAULT_ACCESS_POLICY: AccessPolicy = { allow: [] };

/** One request, as Slack described it (signed) and the command parsed it (validated names). */
export interface AccessRequest {
  readonly team?: string | undefined;
  readonly channel: string;
  /** The channel's name as Slack sent it (without #), for `#name` entries. */
  readonly channelName?: string | undefined;
  readonly user: string;
  readonly command: AccessCommand;
  /** Cluster name (not ARN); absent when the request names none (the worker searches every cluster). */
  readonly cluster?: string | undefined;
  readonly service: string;
}

export type AccessDecision =
  | { readonly allowed: true }
  /** Only membership of these user groups could grant it; the caller cannot read groups (the worker decides). */
  | { readonly allowed: "pending"; readonly usergroups: readonly string[] }
  | { readonly allowed: false; readonly reason: string; readonly hint?: string | undefined; readonly contact: string };

const DEFAULT_CONTACT = "a platform admin (they list who may ask in the access: section of ECS_MEDIC_CONFIG)";

/**
 * Matches `text` against a glob of `*` (any run) and `?` (one character) in O(|text|·|glob|) — no regex, so no
 * pattern an admin writes can make it slow.
 */
export function globMatch(glob: string, text: string): boolean {
  let g = 0;
  let t = 0;
  let star = -1;
  let mark = 0;
  while (t < text.length) {
    if (g < glob.length && (glob[g] === "?" || glob[g] === text[t])) {
      g++;
      t++;
    } else if (g < glob.length && glob[g] === "*") {
      star = g++;
      mark = t;
    } else if (star >= 0) {
      g = star + 1;
      t = ++mark;
    } else return false;
  }
  while (g < glob.length && glob[g] === "*") g++;
  return g === glob.length;
}

const anyGlob = (globs: readonly string[], text: string) => globs.some((g) => globMatch(g, text));
const everything = (globs: readonly string[]) => globs.some((g) => /^\*+$/.test(g));

function channelMatches(entry: AccessEntry, request: AccessRequest): boolean {
  if (!entry.channels) return true;
  return entry.channels.some((c) =>
    c.startsWith("#") ? request.channelName !== undefined && c.slice(1) === request.channelName : c === request.channel,
  );
}

/**
 * Whether the request is allowed: any entry whose workspace, channel, command, cluster and service match grants it to
 * anyone (no users or usergroups listed), to the users it lists, or to members of its user groups (`members`
 * resolves one; a group that cannot be read grants nobody). Without `members` (the Slack function has no token), a
 * request only groups could grant is `pending`. A refusal says what did not match and who to ask.
 */
export async function decideAccess(
  policy: AccessPolicy,
  request: AccessRequest,
  members?: (usergroup: string) => Promise<readonly string[]>,
): Promise<AccessDecision> {
  const contact = policy.contact ?? DEFAULT_CONTACT;
  const refuse = (reason: string, hint?: string): AccessDecision => ({ allowed: false, reason, hint, contact });
  const what = `${request.command === "rerun" ? "re-run a diagnosis" : request.command === "export" ? "export evidence" : `/ecs ${request.command}`}`;
  if (policy.allow.length === 0)
    return refuse(
      "ecs-medic is not open to anyone yet: nobody may ask it anything from Slack until an admin says who.",
    );

  const inTeam = policy.allow.filter((e) => request.team !== undefined && e.teams.includes(request.team));
  if (inTeam.length === 0) return refuse("ecs-medic is not open to this Slack workspace.");
  const forCommand = inTeam.filter((e) => e.commands.includes(request.command));
  if (forCommand.length === 0) return refuse(`Nobody in this workspace may ${what}.`);
  const here = forCommand.filter((e) => channelMatches(e, request));
  if (here.length === 0) {
    const elsewhere = [...new Set(forCommand.flatMap((e) => e.channels ?? []))].slice(0, 5);
    return refuse(
      `You may not ${what} in this channel.`,
      elsewhere.length > 0 ? `It is allowed in ${elsewhere.map(channelMention).join(", ")}.` : undefined,
    );
  }
  const forService = here.filter((e) => anyGlob(e.services, request.service));
  const target =
    request.cluster === undefined
      ? forService.filter((e) => everything(e.clusters))
      : forService.filter((e) => anyGlob(e.clusters, request.cluster!));
  if (target.length === 0) {
    if (request.cluster === undefined && forService.length > 0) {
      const clusters = [...new Set(forService.flatMap((e) => e.clusters))].slice(0, 5).join(", ");
      return refuse(
        `Name the cluster: here ${request.service} may be asked about only in some clusters (${clusters}).`,
        `For example \`/ecs ${request.command === "evidence" ? "evidence" : "diagnose"} ${request.service} <cluster>\`.`,
      );
    }
    return refuse(
      `${request.service}${request.cluster ? ` in ${request.cluster}` : ""} is not among the services you may ask about in this channel.`,
    );
  }
  if (target.some((e) => e.users.length === 0 && e.usergroups.length === 0)) return { allowed: true };
  if (target.some((e) => e.users.includes(request.user))) return { allowed: true };
  const groups = [...new Set(target.flatMap((e) => e.usergroups))];
  if (groups.length > 0 && !members) return { allowed: "pending", usergroups: groups };
  for (const group of groups) {
    try {
      if ((await members!(group)).includes(request.user)) return { allowed: true };
    } catch {
      // A group that cannot be read grants nobody; the others may still.
    }
  }
  const who = [
    ...new Set(target.flatMap((e) => [...e.users.map((u) => `<@${u}>`), ...e.usergroups.map(groupMention)])),
  ];
  return refuse(
    `You are not among the people who may ${what} for ${request.service} here.`,
    who.length > 0 ? `Allowed: ${who.slice(0, 8).join(", ")}.` : undefined,
  );
}

function channelMention(channel: string): string {
  return channel.startsWith("#") ? channel : `<#${channel}>`;
}

function groupMention(group: string): string {
  return `<!subteam^${group}>`;
}
