export { loadConfig, environmentWithLocalSettings, ConfigError, type WiscanConfig } from "./load.js";
export { SETTINGS, SETTING_NAMES, type SettingName, type SettingSpec } from "./settings.js";
