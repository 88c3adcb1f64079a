/**
 * Where an app's bundle leaves its module namespace (its `.default` is the AppDefinition): the
 * CLI's bundler writes it, and the sandbox's guest runtime takes it from there.
 */
export const APP_GLOBAL_NAME = '__switchboard_app';
