export * from './provider';
export * from './yufu-oidc-app';
export * from './oidc-discovery';
export * from './source';
