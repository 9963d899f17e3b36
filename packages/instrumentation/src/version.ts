export const PACKAGE_NAME = '@auditrail/instrumentation';
export const PACKAGE_VERSION = '0.1.0';
