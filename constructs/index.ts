export * from './bindings';
export * from './yufu-oidc-application';
export { PropsError } from './validation';
