/** The services capability: calls between plugins. Part of PluginContext (../plugin-context.ts). */

/**
 * Service signatures, by "<plugin id>.<name>". A plugin that offers services augments this
 * interface (declaration merging) so that callers get types:
 *   declare module '<sdk>' { interface ServiceMap { 'payments.request': { input: {...}; output: {...} } } }
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- empty until providers merge their entries into it
export interface ServiceMap {}

export interface ServiceCaller {
  readonly pluginId: string;
}

export interface ServicesCapability {
  /** Offers a service declared in the manifest's contributes.services; callers reach it as "<id>.<name>". */
  provide(name: string, handler: (input: unknown, caller: ServiceCaller) => unknown /* or a promise of it */): void;
  /** permission services.call with the service in scope.services. Input and output are copied. */
  call<K extends keyof ServiceMap>(
    service: K,
    input: ServiceMap[K] extends { input: infer I } ? I : unknown,
  ): Promise<ServiceMap[K] extends { output: infer O } ? O : unknown>;
  call<T = unknown>(service: string, input: unknown): Promise<T>;
}
