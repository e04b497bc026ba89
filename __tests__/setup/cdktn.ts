// Runs before each test file of the "cdktn" jest project: constructs/framework.ts
// reads this when it is first imported.
process.env.QIANFAN_CDK_FRAMEWORK = 'cdktn';
