// Puppeteer (under DAISY Ace) never downloads a browser: the tests run the machine's own Chromium
// (/usr/bin/chromium, installed by scripts/install-system-deps test) through PUPPETEER_EXECUTABLE_PATH.
module.exports = { skipDownload: true, chrome: { skipDownload: true }, "chrome-headless-shell": { skipDownload: true } };
