/** Tests start Azurite the same way the demo does: one launcher, in simulator/azurite.ts. */
export * from "../../simulator/azurite.js";
