export * from './provider';
export * from './yufu-oidc-app';
export * from './oidc-discovery';
export * from './apaas-hr-connector';
export * from './apaas-sync-schedule';
export * from './source';
