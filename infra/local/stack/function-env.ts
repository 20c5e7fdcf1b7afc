/**
 * What each local function's environment holds, as Lambda's does on AWS: the SDK's local
 * endpoints signed with the function's own key, CDK's common environment, and what its
 * grants give it (envForGrants, the mirror of the CDK stack's grantFor).
 */
import {
  envNames,
  functionNames,
  functions as functionDefs,
  type FunctionName,
  type Grant,
} from '#infra/topology.ts';
import { parseOrigins } from '#shared/domain/outbound-address.ts';
import { ADMIN_KEY, envForGrants, functionKey, LOCAL_REGION, type LocalResources } from '../iam.ts';
import type { SecretValues } from '../secrets.ts';
import type { LocalUrls } from '../stack.ts';

/**
 * Variables only the local runtime sets (the SDK's endpoints and credentials, the Graph
 * API simulator, a local model): not the topology's, so not compared with CDK's.
 */
export const LOCAL_ONLY_ENV = /^(AWS_|WHATSAPP_GRAPH_URL$|OPENAI_BASE_URL$|LOG_LEVEL$)/;

/**
 * A function's whole environment: the SDK's local endpoints signed with the function's
 * own key, what every function gets (CDK's common environment), and what its grants give
 * (envForGrants, the mirror of the CDK stack's grantFor).
 */
export function localFunctionEnv(
  fn: FunctionName,
  grants: readonly Grant[],
  resources: LocalResources,
  common: Record<string, string>,
): Record<string, string> {
  return { ...common, AWS_ACCESS_KEY_ID: functionKey(fn), ...envForGrants(grants, resources) };
}

/**
 * Local identities (access key ids) → grants, as the Secrets Manager stand-in's
 * `identities` (tests of that stand-in alone). The stack itself uses LocalIam
 * (infra/local/iam.ts): every function in a thread of its own, signing with its own key.
 */
export function localIdentities(): Record<string, Grant[]> {
  const ids: Record<string, Grant[]> = {};
  for (const fn of functionNames) ids[functionKey(fn)] = functionDefs[fn].grants;
  return ids;
}

/**
 * The AWS SDK finds every stand-in through the standard endpoint variables. The stack's
 * own set-up (and the developer's tools, through `env`) use the admin key.
 */
export function sdkEnvironment(urls: LocalUrls): Record<string, string> {
  return {
    AWS_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: ADMIN_KEY,
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: urls.dynamodb,
    AWS_ENDPOINT_URL_SQS: urls.sqs,
    AWS_ENDPOINT_URL_S3: urls.s3,
    AWS_ENDPOINT_URL_SCHEDULER: urls.scheduler,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: urls.secrets,
  };
}

/**
 * Each function's environment (`envOf`), and every variable with the admin key for the
 * developer's tools (`toolsEnv`: the benchmark, scripts).
 */
export function functionEnvironments(o: {
  sdkEnv: Record<string, string>;
  urls: LocalUrls;
  secretValues: SecretValues;
  /** StackOptions.outboundAllowedOrigins. */
  outboundAllowedOrigins?: string[];
  grants: Record<FunctionName, Grant[]>;
  resources: LocalResources;
}): { envOf: (fn: FunctionName) => Record<string, string>; toolsEnv: Record<string, string> } {
  const { sdkEnv, urls, secretValues, grants, resources } = o;
  // What every function gets besides its grants' variables: the SDK's endpoints, the
  // Graph API simulator, a local model, and CDK's common environment.
  const common: Record<string, string> = { ...sdkEnv, WHATSAPP_GRAPH_URL: urls.simulator };
  if (secretValues.openai.baseUrl) common.OPENAI_BASE_URL = secretValues.openai.baseUrl;
  // The operator's exceptions to the outbound-URL guard: the simulator (Graph API and its
  // media downloads), a local model named by OPENAI_BASE_URL, and whatever the caller adds.
  common[envNames.outboundAllowedOrigins] = [
    ...new Set([
      new URL(urls.simulator).origin,
      ...(secretValues.openai.baseUrl ? [new URL(secretValues.openai.baseUrl).origin] : []),
      ...parseOrigins((o.outboundAllowedOrigins ?? []).join(',')),
    ]),
  ].join(',');
  common[envNames.whatsappMediaHosts] = new URL(urls.simulator).origin;
  // Each function gets exactly what its grants imply, as CDK's grantFor gives it.
  const envOf = (fn: FunctionName) => localFunctionEnv(fn, grants[fn], resources, common);
  // The developer's tools (the benchmark, scripts) get every variable, with the admin key.
  const toolsEnv: Record<string, string> = {
    ...common,
    ...envForGrants(
      functionNames.flatMap((fn) => grants[fn]),
      resources,
    ),
  };
  return { envOf, toolsEnv };
}
