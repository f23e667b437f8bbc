/**
 * Posts to a Slack response_url (valid 30 minutes, needs no token): the last way to reach the person who asked when
 * the bot cannot post in the channel. Bounded (5 s) and never throws — a lost courtesy message must not fail a job.
 */
export async function tellRequester(responseUrl: string, body: Record<string, unknown>): Promise<void> {
  try {
    await fetch(responseUrl, {
      method: "POST",
      signal: AbortSignal.timeout(5_000),
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ response_type: "ephemeral", ...body }),
    });
  } catch {
    // Nothing else can be done: the response URL is the last way to reach the person.
  }
}
