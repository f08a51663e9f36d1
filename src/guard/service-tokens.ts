/**
 * Owns: detectors for SaaS and cloud tokens that carry a documented, distinctive prefix or shape (SendGrid,
 * Anthropic, OpenAI, Hugging Face, Shopify, PyPI, HashiCorp Vault, …). Each is woken by its prefix in the
 * one-pass trigger scan and checks one anchored, length-bounded regular expression there.
 */
import { anchoredDetector, B, E, randomToken, type Detector } from "./detector.js";

/** Upper case, lower case and a digit: real random tokens of 30+ characters have all three. */
function mixedToken(secret: string): boolean {
  return randomToken(secret) && /[a-z]/.test(secret) && /[A-Z]/.test(secret) && /[0-9]/.test(secret);
}

/** Start of a run of `chars` that ends at `at` (for tokens whose trigger sits in their middle). */
function runStart(chars: RegExp, min: number, max: number): (text: string, at: number) => number {
  return (text, at) => {
    let p = at;
    while (p > 0 && at - p < max && chars.test(text[p - 1] ?? "")) p--;
    return at - p >= min ? p : -1;
  };
}
const DIGIT = /[0-9]/;

const t = anchoredDetector;

/** Most specific first; a weaker overlapping hit is dropped by the scanner. */
export const SERVICE_TOKEN_DETECTORS: readonly Detector[] = [
  t("sendgrid-key", ["sg."], `${B}SG\\.[A-Za-z0-9_-]{22}\\.[A-Za-z0-9_-]{43}${E}`, "SendGrid API key", { accept: mixedToken }),
  t(
    "anthropic-key",
    ["sk-ant-"],
    `${B}sk-ant-(?:api|admin|oat|sid)\\d\\d-[A-Za-z0-9_-]{80,160}${E}`,
    "Anthropic API key",
    { accept: mixedToken },
  ),
  t(
    "openai-key",
    ["sk-proj-", "sk-svcacct-", "sk-admin-", "sk-none-"],
    `${B}sk-(?:proj|svcacct|admin|None)-[A-Za-z0-9_-]{40,250}${E}`,
    "OpenAI API key",
    { accept: mixedToken },
  ),
  // legacy user keys: `sk-` + 20 + the marker `T3BlbkFJ` (base64 of "OpenAI") + 20
  t("openai-key", ["t3blbkfj"], `${B}sk-[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}${E}`, "OpenAI API key", {
    from: (_text, at) => at - 23,
  }),
  t("huggingface-token", ["hf_", "api_org_"], `${B}(?:hf|api_org)_[A-Za-z]{34}${E}`, "Hugging Face token", {
    accept: (s) => randomToken(s) && /[a-z]/.test(s) && /[A-Z]/.test(s.slice(3)),
  }),
  t("shopify-token", ["shpat_", "shpca_", "shppa_", "shpss_"], `${B}shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}${E}`, "Shopify access token"),
  t(
    "pypi-token",
    ["pypi-ageichlwas5vcmc", "pypi-agendgvzdc5wexbplm9yzw"],
    `${B}pypi-AgE(?:IcHlwaS5vcmc|NdGVzdC5weXBpLm9yZw)[A-Za-z0-9_-]{50,1000}${E}`,
    "PyPI upload token",
  ),
  t("databricks-token", ["dapi"], `${B}dapi[a-f0-9]{32}(?:-\\d)?${E}`, "Databricks access token"),
  t("digitalocean-token", ["dop_v1_", "doo_v1_", "dor_v1_"], `${B}do[opr]_v1_[a-f0-9]{64}${E}`, "DigitalOcean token"),
  t(
    "vault-token",
    ["hvs.", "hvb."],
    `${B}(?:hvs\\.[A-Za-z0-9_-]{24,200}|hvb\\.[A-Za-z0-9_-]{100,400})${E}`,
    "HashiCorp Vault token",
    { accept: mixedToken },
  ),
  t(
    "doppler-token",
    ["dp.pt.", "dp.st.", "dp.sa.", "dp.ct.", "dp.scim.", "dp.audit."],
    `${B}dp\\.(?:pt|st|sa|ct|scim|audit)\\.(?:[a-z0-9_-]{1,40}\\.)?[A-Za-z0-9]{40,44}${E}`,
    "Doppler token",
    { accept: mixedToken },
  ),
  t("linear-key", ["lin_api_", "lin_oauth_"], `${B}lin_(?:api|oauth)_[A-Za-z0-9]{40}${E}`, "Linear API key", { accept: mixedToken }),
  t(
    "grafana-token",
    ["glsa_", "glc_", "eyjrijoi"],
    `${B}(?:glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}|glc_[A-Za-z0-9+/]{32,400}={0,2}|eyJrIjoi[A-Za-z0-9]{50,400}={0,2})${E}`,
    "Grafana token",
  ),
  t("newrelic-key", ["nrak-", "nraa-", "nrii-"], `${B}(?:NRA[AK]-[A-Z0-9]{27}|NRII-[A-Za-z0-9_-]{32})${E}`, "New Relic API key"),
  t("atlassian-token", ["atatt3", "atctt3"], `${B}AT[AC]TT3[A-Za-z0-9_=-]{150,300}(?![A-Za-z0-9_=-])`, "Atlassian API token"),
  t("heroku-key", ["hrku-"], `${B}HRKU-[A-Za-z0-9_-]{58,64}${E}`, "Heroku API key"),
  t("square-token", ["sq0atp-", "sq0csp-"], `${B}(?:sq0atp-[A-Za-z0-9_-]{22}|sq0csp-[A-Za-z0-9_-]{43})${E}`, "Square access token or secret"),
  t("postman-key", ["pmak-"], `${B}PMAK-[a-f0-9]{24}-[a-f0-9]{34}${E}`, "Postman API key"),
  // Telegram bot: `<bot id>:AA…`; the trigger is the `:AA`, the id is the digits before it
  t("telegram-bot-token", [":aa"], `${B}[0-9]{8,10}:AA[A-Za-z0-9_-]{33}${E}`, "Telegram bot token", {
    from: runStart(DIGIT, 8, 10),
  }),
  // Entra ID (Azure AD) client secrets: 3 characters, a digit, `Q~`, then 31–34 more
  t(
    "azure-ad-client-secret",
    ["q~"],
    "(?<![A-Za-z0-9_~.-])[A-Za-z0-9_~.]{3}[0-9]Q~[A-Za-z0-9_~.-]{31,34}(?![A-Za-z0-9_~.-])",
    "Azure AD (Entra ID) client secret",
    { from: (_text, at) => at - 4, accept: mixedToken },
  ),
  t("google-oauth-secret", ["gocspx-"], `${B}GOCSPX-[A-Za-z0-9_-]{28}${E}`, "Google OAuth client secret"),
  t("google-oauth-secret", ["ya29."], `${B}ya29\\.[A-Za-z0-9_-]{50,2000}${E}`, "Google OAuth access token", { accept: mixedToken }),
  t("mapbox-token", ["sk.eyj"], `${B}sk\\.eyJ[A-Za-z0-9_-]{20,200}\\.[A-Za-z0-9_-]{20,100}${E}`, "Mapbox secret token"),
  t("sentry-token", ["sntrys_", "sntryu_"], `${B}(?:sntrys_eyJ[A-Za-z0-9+/=_-]{50,600}|sntryu_[a-f0-9]{64})${E}`, "Sentry auth token"),
  t("supabase-key", ["sbp_", "sb_secret_"], `${B}(?:sbp_[a-f0-9]{40}|sb_secret_[A-Za-z0-9_-]{20,80})${E}`, "Supabase secret key"),
  t("terraform-token", [".atlasv1."], `${B}[A-Za-z0-9]{14}\\.atlasv1\\.[A-Za-z0-9_-]{60,70}${E}`, "Terraform Cloud token", {
    from: (_text, at) => at - 14,
  }),
  // Mailchimp: 32 hex, then the data centre it lives in (`-us21`); the trigger is the data centre
  t("mailchimp-key", ["-us"], `${B}[a-f0-9]{32}-us[0-9]{1,2}${E}`, "Mailchimp API key", { from: (_text, at) => at - 32 }),
  t("pulumi-token", ["pul-"], `${B}pul-[a-f0-9]{40}${E}`, "Pulumi access token"),
  t("buildkite-token", ["bkua_"], `${B}bkua_[a-f0-9]{40}${E}`, "Buildkite API token"),
  t("brevo-key", ["xkeysib-"], `${B}xkeysib-[a-f0-9]{64}-[A-Za-z0-9]{16}${E}`, "Brevo (Sendinblue) API key"),
  t("dynatrace-token", ["dt0c01."], `${B}dt0c01\\.[A-Z0-9]{24}\\.[A-Z0-9]{64}${E}`, "Dynatrace API token"),
  t("groq-key", ["gsk_"], `${B}gsk_[A-Za-z0-9]{52}${E}`, "Groq API key", { accept: mixedToken }),
  t("xai-key", ["xai-"], `${B}xai-[A-Za-z0-9]{80}${E}`, "xAI API key", { accept: mixedToken }),
  t("replicate-token", ["r8_"], `${B}r8_[A-Za-z0-9]{37}${E}`, "Replicate API token", { accept: mixedToken }),
  t("perplexity-key", ["pplx-"], `${B}pplx-[A-Za-z0-9]{48}${E}`, "Perplexity API key"),
  t("langsmith-key", ["lsv2_"], `${B}lsv2_(?:pt|sk)_[a-f0-9]{32}_[a-f0-9]{10}${E}`, "LangSmith API key"),
  t("rubygems-key", ["rubygems_"], `${B}rubygems_[a-f0-9]{48}${E}`, "RubyGems API key"),
  t("nuget-key", ["oy2"], `${B}oy2[a-z0-9]{43}${E}`, "NuGet API key", { accept: (s) => randomToken(s) && /[0-9]/.test(s.slice(3)) }),
  t("artifactory-token", ["akcp"], `${B}AKCp[A-Za-z0-9]{69}${E}`, "JFrog Artifactory API key", { accept: mixedToken }),
  t("figma-token", ["figd_"], `${B}figd_[A-Za-z0-9_-]{40,43}${E}`, "Figma personal access token"),
  t("notion-token", ["ntn_"], `${B}ntn_[0-9]{11}[A-Za-z0-9]{35}${E}`, "Notion integration token"),
  t("alibaba-access-key", ["ltai"], `${B}LTAI[A-Za-z0-9]{12,20}${E}`, "Alibaba Cloud AccessKey id", { accept: mixedToken }),
  t("flyio-token", ["fo1_", "fm2_"], `${B}(?:fo1_[A-Za-z0-9_-]{43}|fm2_[A-Za-z0-9+/=_-]{100,2000})`, "Fly.io token"),
];
