// A local osls plugin: removes the shared `IamRoleLambdaExecution` role once every function has its own
// (serverless-iam-roles-per-function builds each function's role from it as a template, then leaves it in the
// stack, unused, with log and queue permissions nobody needs). Listed after that plugin in serverless.yml, so its
// hook runs after it. If anything in the template still refers to the role, it stays, and packaging says why.
"use strict";

class DropUnusedSharedRole {
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = { "before:package:finalize": () => this.drop() };
  }

  drop() {
    const template = this.serverless.service.provider.compiledCloudFormationTemplate;
    const id = this.serverless.providers.aws.naming.getRoleLogicalId();
    if (!template.Resources[id]) return;
    const { [id]: _role, ...others } = template.Resources;
    const rest = JSON.stringify({ ...template, Resources: others });
    if (rest.includes(`"${id}"`)) {
      this.serverless.cli.log(`${id} is still referenced in the template: kept`);
      return;
    }
    delete template.Resources[id];
  }
}

module.exports = DropUnusedSharedRole;
