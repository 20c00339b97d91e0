/**
 * Step Functions' AWS SDK integrations (`arn:aws:states:::aws-sdk:<service>:<apiAction>`) as the local Step
 * Functions runs them: the call goes to the local cloud's service, in-process, as Step Functions calls the
 * service's API. As the Step Functions Developer Guide ("AWS SDK service integrations") says: parameters and
 * results are PascalCase even where the API is camelCase (map keys are the caller's and stay as they are),
 * and an error is named `<Service>.<ErrorName>`, both PascalCase (e.g. `Fis.ResourceNotFoundException`).
 * Timestamps come back as ISO 8601 strings, as Step Functions gives them.
 */

type Json = Record<string, unknown>;

/** A local service as an SDK integration calls it, with what its API model says about member shapes. */
export interface SdkIntegrationService {
  /** The service's name in error names (`Fis`). */
  errorPrefix: string;
  /**
   * How the API names its members: camelCase (a REST API, e.g. FIS: recased from Step Functions' PascalCase)
   * or PascalCase (a JSON API, e.g. CloudWatch: as Step Functions gives them). Default camel.
   */
  memberCase?: 'camel' | 'pascal';
  /** API member names (camelCase) whose values are maps: keys kept, values recased. */
  mapMembers: ReadonlySet<string>;
  /** API member names whose values are timestamps (epoch seconds on the wire, ISO 8601 in Step Functions). */
  timestampMembers: ReadonlySet<string>;
  /** Calls `operation` (PascalCase, as the API names it) with its API members; throws `{ type, message }`. */
  call(operation: string, input: Json): Promise<Json>;
}

export const AWS_SDK_RESOURCE = /^arn:aws:states:::aws-sdk:([a-z0-9]+):([a-zA-Z0-9]+)$/;

const isRecord = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);
const upperFirst = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** Recases a structure's member names (not a map's keys), all the way down. */
function recase(
  value: unknown,
  rename: (name: string) => string,
  apiName: (name: string) => string,
  service: SdkIntegrationService,
  onLeaf: (apiMember: string, value: unknown) => unknown = (_, v) => v,
): unknown {
  if (Array.isArray(value)) return value.map((v) => recase(v, rename, apiName, service, onLeaf));
  if (!isRecord(value)) return value;
  return Object.fromEntries(
    Object.entries(value).map(([name, member]) => {
      const api = apiName(name);
      const converted =
        service.mapMembers.has(api) && isRecord(member)
          ? Object.fromEntries(
              Object.entries(member).map(([key, v]) => [key, recase(v, rename, apiName, service, onLeaf)]),
            )
          : isRecord(member) || (Array.isArray(member) && member.some(isRecord))
            ? recase(member, rename, apiName, service, onLeaf)
            : Array.isArray(member)
              ? member.map((v) => onLeaf(api, v))
              : onLeaf(api, member);
      return [rename(name), converted];
    }),
  );
}

/** The Task handler of an `aws-sdk:<service>:<apiAction>` resource, or undefined when it is none. */
export function sdkIntegration(
  resource: string,
  services: Record<string, SdkIntegrationService | undefined>,
): ((parameters: unknown) => Promise<unknown>) | undefined {
  const match = resource.match(AWS_SDK_RESOURCE);
  if (!match) return undefined;
  const [, serviceName, action] = match as unknown as [string, string, string];
  return async (parameters) => {
    const service = services[serviceName];
    if (!service) throw new Error(`the local cloud serves no ${serviceName} to ${resource}`);
    const toApi = service.memberCase === 'pascal' ? (name: string) => name : lowerFirst;
    const input = recase(parameters ?? {}, toApi, toApi, service, (api, v) =>
      service.timestampMembers.has(api) && typeof v === 'string' && !Number.isNaN(Date.parse(v))
        ? Date.parse(v) / 1000
        : v,
    ) as Json;
    let output: Json;
    try {
      output = await service.call(upperFirst(action), input);
    } catch (error) {
      const { type, message } = error as { type?: string; message?: string };
      if (!type) throw error;
      // Step Functions names the error by service and error name, with the Exception suffix.
      const name = type.endsWith('Exception') ? type : `${type}Exception`;
      throw Object.assign(new Error(message ?? name), { name: `${service.errorPrefix}.${name}` });
    }
    return recase(
      output,
      upperFirst,
      (name) => name,
      service,
      (api, v) =>
        service.timestampMembers.has(api) && typeof v === 'number' ? new Date(v * 1000).toISOString() : v,
    );
  };
}
