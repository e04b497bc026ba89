/** The provider's release version: the registry version, the executable's name, the archives'. */
export const PROVIDER_VERSION = '0.1.0';
