// esbuild plugins for the Lambda handler bundles, used by scripts/build.mjs (whose dist/handlers `sls package` zips, see
// scripts/serverless-build.cjs), so the zips carry what the bench and the tests measure.
//
// Bolt's index (CommonJS, so evaluated whole at import) requires every receiver, and with them express, raw-body +
// iconv-lite, @slack/socket-mode + undici and @slack/oauth + jsonwebtoken: about 1.3 MB the Lambda handlers never run
// (they hand Bolt an AwsLambdaReceiver). In the handler bundles those modules are a stub that throws if anything ever
// calls it; the dev socket-mode runner (src/dev/socket.ts) runs from the sources and keeps them.

/** Modules Bolt requires that no Lambda handler runs, as Bolt's files name them. */
const UNUSED_ON_LAMBDA = [
  /^\.\/receivers\/(?:ExpressReceiver|SocketModeReceiver|HTTPReceiver)$/,
  /^@slack\/(?:oauth|socket-mode)$/,
  /^raw-body$/,
];

const lambdaOnlyBolt = {
  name: "lambda-only-bolt",
  setup(build) {
    build.onResolve({ filter: /^(?:\.\/receivers\/|@slack\/|raw-body$)/ }, (args) =>
      /[\\/]node_modules[\\/]@slack[\\/]bolt[\\/]/.test(args.importer) && UNUSED_ON_LAMBDA.some((re) => re.test(args.path))
        ? { path: args.path, namespace: "unused-on-lambda" }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: "unused-on-lambda" }, (args) => ({
      contents:
        `function unused() { throw new Error(${JSON.stringify(`${args.path} is not in the Lambda bundles (scripts/esbuild-lambda-plugins.cjs): use AwsLambdaReceiver`)}); }\n` +
        "module.exports = unused;\nmodule.exports.default = unused;\n",
      loader: "js",
    }));
  },
};

module.exports = [lambdaOnlyBolt];
module.exports.UNUSED_ON_LAMBDA = UNUSED_ON_LAMBDA;
