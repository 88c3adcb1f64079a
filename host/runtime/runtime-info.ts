/** The Node that runs this process, as logged once at start. */
export interface RuntimeInfo {
  readonly node: string;
  readonly v8: string;
  /** NODE_MODULE_VERSION: the ABI native modules must be built for. */
  readonly modules: string;
  readonly platform: NodeJS.Platform;
  readonly arch: string;
}

export function runtimeInfo(): RuntimeInfo {
  return {
    node: process.version,
    v8: process.versions.v8,
    modules: process.versions.modules,
    platform: process.platform,
    arch: process.arch,
  };
}
