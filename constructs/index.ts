export * from './bindings';
export * from './yufu-oidc-application';
export * from './qianfan-tenant';
export { PropsError } from './validation';
export * from './tenants-file';
export * from './tenants-stack';
