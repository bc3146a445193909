package dev.ragtime.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import dev.ragtime.server.auth.ApiKeys;
import dev.ragtime.server.page.PageRoutes;
import dev.ragtime.testing.SharedData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.NoSuchElementException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The search page end to end: a real server on a free port with a small collection, driven by
 * Debian's headless Chromium through its chromedriver. When Chromium is absent the test is skipped
 * outside CI and fails in CI ({@code .ci/run} installs it).
 *
 * <p>With {@code -Dragtime.page.screenshot=FILE} it also saves a screenshot of the page with
 * results (how {@code docs/img/search-page.png} is made).
 */
class SearchPageTest {
  /**
   * Debian's browser and driver; {@code -Dragtime.chromium=…}, {@code -Dragtime.chromedriver=…}.
   */
  static final Path CHROMIUM = Path.of(System.getProperty("ragtime.chromium", "/usr/bin/chromium"));

  static final Path CHROMEDRIVER =
      Path.of(System.getProperty("ragtime.chromedriver", "/usr/bin/chromedriver"));

  /** How long to wait for the page to show something; only a broken page ever waits this long. */
  static final Duration PATIENCE = Duration.ofSeconds(60);

  static final String DOCS = "/v1/collections/{name}/documents";

  @TempDir static Path tmp;
  static TestServer s;
  static ChromeDriver browser;

  @BeforeAll
  static void start() throws IOException {
    if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
      String message =
          "the search page test needs "
              + CHROMIUM
              + " and "
              + CHROMEDRIVER
              + " (apt-get install chromium chromium-driver)";
      if (SharedData.inCi(System.getenv(SharedData.CI))) {
        fail(message + "; CI is set, so this fails instead of skipping");
      }
      // Surefire counts a class skipped in @BeforeAll as "Tests run: 0" without the reason: say it.
      System.err.println("SearchPageTest skipped: " + message);
      Assumptions.abort(message);
    }
    s = new TestServer(tmp.resolve("data"));
    s.put("/v1/collections/{name}", "/v1/collections/kitchen");
    post(
        "kitchen",
        true,
        List.of(
            Map.of(
                "id", "bread/sourdough.md",
                "mediaType", "text/markdown",
                "text",
                    "# Bread\n\n## Sourdough starters\n\nA sourdough starter is flour and water that"
                        + " wild yeast has colonised. Feed the starter daily and keep it warm."),
            Map.of(
                "id",
                "markup.txt",
                "text",
                "Escaping check: <img src=x onerror=\"document.title='pwned'\"> and"
                    + " <b>bold</b> must show as text."),
            Map.of("id", "soup.txt", "text", "Vegetable soup simmers for an hour with onions.")));

    var options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1100,900",
        "--user-data-dir=" + Files.createDirectories(tmp.resolve("chromium-profile")));
    var service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(CHROMEDRIVER.toFile())
            .usingAnyFreePort()
            .build();
    browser = new ChromeDriver(service, options);
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.quit();
    }
    if (s != null) {
      s.close();
    }
  }

  /** Posts documents as one batch; with {@code wait} only after they are committed. */
  static TestServer.Response post(
      String collection, boolean wait, List<Map<String, String>> documents) {
    try {
      String body = TestServer.JSON.writeValueAsString(Map.of("documents", documents));
      var r =
          s.postJson(
              DOCS,
              "/v1/collections/" + collection + "/documents" + (wait ? "?wait=true" : ""),
              body);
      assertThat(r.status()).as(r.body()).isEqualTo(wait ? 200 : 202);
      return r;
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  WebDriverWait waiting() {
    // The page replaces its lists as data arrives, so an element found a moment ago may be gone.
    return (WebDriverWait)
        new WebDriverWait(browser, PATIENCE)
            .ignoring(StaleElementReferenceException.class)
            .ignoring(NoSuchElementException.class);
  }

  void open() {
    browser.get(s.base + "/");
    // The collections are listed once the script has run.
    waiting()
        .until(
            d ->
                d.findElements(By.cssSelector("#collection option")).stream()
                    .anyMatch(o -> o.getDomAttribute("value").equals("kitchen")));
  }

  List<WebElement> resultsWhen(String statusContains) {
    waiting().until(d -> d.findElement(By.id("status")).getText().contains(statusContains));
    return browser.findElements(By.cssSelector("#results > li"));
  }

  @Test
  void typingAQueryAndEnterShowsHitsWithSourceHeadingScoreAndHighlights() throws IOException {
    open();
    // The query box has the focus on load, so a keyboard user can type at once.
    assertThat(browser.switchTo().activeElement().getDomAttribute("id")).isEqualTo("query");
    browser.switchTo().activeElement().sendKeys("sourdough starters", Keys.ENTER);

    List<WebElement> hits = resultsWhen("results");
    assertThat(hits).isNotEmpty();
    WebElement first = hits.get(0);
    WebElement link = first.findElement(By.cssSelector("h3 a"));
    assertThat(link.getText()).contains("Sourdough starters");
    assertThat(link.getDomAttribute("href"))
        .isEqualTo("/v1/collections/kitchen/documents/bread/sourdough.md");
    assertThat(first.findElement(By.className("source")).getText())
        .isEqualTo("api:bread/sourdough.md");
    assertThat(first.findElement(By.className("score")).getText()).matches("score \\d+\\.\\d{4}");
    // Both query words are marked, "starters" also as "starter" (the same stem).
    List<String> marked =
        first.findElements(By.tagName("mark")).stream()
            .map(m -> m.getText().toLowerCase(java.util.Locale.ROOT))
            .toList();
    assertThat(marked).contains("sourdough", "starter");
    assertThat(first.findElement(By.className("text")).getText()).contains("wild yeast");
    // The search is in the address, so it can be bookmarked and shared.
    assertThat(browser.getCurrentUrl()).contains("q=sourdough+starters").contains("mode=hybrid");

    String screenshot = System.getProperty("ragtime.page.screenshot");
    if (screenshot != null && !screenshot.isBlank()) {
      Files.write(Path.of(screenshot), browser.getScreenshotAs(OutputType.BYTES));
    }
  }

  @Test
  void theModeSwitchSearchesAgainAndTextFromTheIndexStaysText() {
    open();
    WebElement query = browser.findElement(By.id("query"));
    query.sendKeys("onerror bold", Keys.ENTER);
    resultsWhen("(hybrid");
    browser.findElement(By.cssSelector("input[name=mode][value=bm25]")).click();
    List<WebElement> hits = resultsWhen("(bm25");
    assertThat(hits).hasSize(1);
    WebElement text = hits.get(0).findElement(By.className("text"));
    assertThat(text.getText()).contains("<img src=x onerror=").contains("<b>bold</b>");
    assertThat(hits.get(0).findElements(By.tagName("img"))).isEmpty();
    assertThat(hits.get(0).findElements(By.tagName("b"))).isEmpty();
    assertThat(text.findElements(By.tagName("mark")).stream().map(WebElement::getText))
        .contains("onerror", "bold");
    assertThat(browser.getTitle()).isEqualTo("Ragtime search");
  }

  @Test
  void ingestionStatusIsShownLiveAndTheCollectionCountsFollow() {
    open();
    var r =
        post(
            "kitchen",
            false,
            List.of(
                Map.of(
                    "id", "bread/rye.txt", "text", "Rye bread keeps for a week in a cloth bag.")));
    String job = r.json().get("id").asText();
    // The page polls /v1/jobs: the new job appears and reaches "succeeded" without a reload.
    By item = By.cssSelector("#jobs li[data-job='" + job + "']");
    waiting().until(d -> d.findElement(item).getDomAttribute("class").contains("succeeded"));
    assertThat(browser.findElement(item).getText())
        .isEqualTo("kitchen ← api: succeeded, 1/1 documents, 1 chunks");
    assertThat(s.get("/v1/jobs/{id}", "/v1/jobs/" + job).json().get("state").asText())
        .isEqualTo("succeeded");
    // The finished job makes the page list the collections again, with the new count.
    waiting()
        .until(
            d ->
                d.findElement(By.cssSelector("#collection option[value=kitchen]"))
                    .getText()
                    .contains("(4 documents"));
  }

  @Test
  void theKeyboardAloneReachesEveryControlAndTheResultsInOrder() {
    open();
    WebElement query = browser.switchTo().activeElement();
    query.sendKeys("vegetable soup");
    // Tab leads from the query to the mode switch, whose arrow keys change the mode and search.
    query.sendKeys(Keys.TAB);
    WebElement mode = browser.switchTo().activeElement();
    assertThat(mode.getDomAttribute("value")).isEqualTo("hybrid");
    mode.sendKeys(Keys.ARROW_RIGHT);
    resultsWhen("(bm25");
    assertThat(browser.switchTo().activeElement().getDomAttribute("value")).isEqualTo("bm25");
    // Then the Search button, the API key box, and the first result's link.
    browser.switchTo().activeElement().sendKeys(Keys.TAB);
    assertThat(browser.switchTo().activeElement().getText()).isEqualTo("Search");
    browser.switchTo().activeElement().sendKeys(Keys.TAB);
    assertThat(browser.switchTo().activeElement().getText()).isEqualTo("API key");
    browser.switchTo().activeElement().sendKeys(Keys.TAB);
    WebElement link = browser.switchTo().activeElement();
    assertThat(link.getTagName()).isEqualTo("a");
    assertThat(link.getText()).isEqualTo("soup");
    assertThat(browser.findElements(By.cssSelector("ol#results > li h3 a"))).contains(link);
  }

  @Test
  void aPhoneWidthNeedsNoSidewaysScrolling() {
    browser.manage().window().setSize(new Dimension(390, 844));
    try {
      open();
      browser.findElement(By.id("query")).sendKeys("soup", Keys.ENTER);
      resultsWhen("result");
      Object overflow =
          ((JavascriptExecutor) browser)
              .executeScript(
                  "return document.documentElement.scrollWidth"
                      + " - document.documentElement.clientWidth;");
      assertThat(((Number) overflow).intValue()).isLessThanOrEqualTo(0);
      // Every control has a label.
      for (String id : List.of("collection", "query", "api-key")) {
        assertThat(browser.findElements(By.cssSelector("label[for=" + id + "]"))).hasSize(1);
      }
    } finally {
      browser.manage().window().setSize(new Dimension(1100, 900));
    }
  }

  @Test
  void withApiKeysThePageAsksForOneAndThenSearchesWithIt() {
    String reader = "page-reader-0123456789";
    String writer = "page-writer-0123456789";
    var keys = ApiKeys.parse(reader + ":r," + writer + ":rw");
    try (var keyed =
        new TestServer(tmp.resolve("keyed"), ServerConfig.defaults().withKeys(keys), null)) {
      keyed.send("PUT", "/v1/collections/{name}", "/v1/collections/locked", null, null, writer);
      var posted =
          keyed.send(
              "POST",
              DOCS,
              "/v1/collections/locked/documents?wait=true",
              "application/json",
              "{\"id\":\"vault.txt\",\"text\":\"The vault opens with a brass key.\"}"
                  .getBytes(StandardCharsets.UTF_8),
              writer);
      assertThat(posted.status()).as(posted.body()).isEqualTo(200);

      // The page itself needs no key; its first API call is refused and it asks for one.
      browser.get(keyed.base + "/");
      waiting().until(d -> d.findElement(By.id("status")).getText().contains("needs an API key"));
      assertThat(browser.findElement(By.id("key-box")).getDomAttribute("open")).isNotNull();
      assertThat(browser.findElements(By.cssSelector("#collection option"))).isEmpty();

      browser.findElement(By.id("api-key")).sendKeys(reader, Keys.ENTER);
      waiting()
          .until(
              d -> d.findElements(By.cssSelector("#collection option[value=locked]")).size() == 1);
      browser.findElement(By.id("query")).sendKeys("brass", Keys.ENTER);
      List<WebElement> hits = resultsWhen("result");
      assertThat(hits).hasSize(1);
      assertThat(hits.get(0).findElement(By.tagName("mark")).getText()).isEqualTo("brass");
      // The key is not left in the form, nor shown anywhere on the page.
      assertThat(browser.findElement(By.id("api-key")).getDomProperty("value")).isEmpty();
      assertThat(browser.getPageSource()).doesNotContain(reader);
    }
  }

  @Test
  void theFilesComeWithAStrictContentSecurityPolicy() {
    for (String path : List.of("/", "/page.js", "/page.css")) {
      var r = s.get(path, path);
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.header("Content-Security-Policy"))
          .isEqualTo(PageRoutes.CONTENT_SECURITY_POLICY)
          .contains("script-src 'self'")
          .doesNotContain("unsafe-inline");
      assertThat(r.header("X-Content-Type-Options")).isEqualTo("nosniff");
    }
    assertThat(s.get("/", "/").contentType()).startsWith("text/html");
    assertThat(s.get("/page.js", "/page.js").contentType()).startsWith("text/javascript");
    // No inline script or style in the page, and nothing fetched from another origin.
    String html = s.get("/", "/").body();
    assertThat(html).doesNotContain("<script>").doesNotContain("style=").doesNotContain("//cdn");
    assertThat(html.getBytes(StandardCharsets.UTF_8)).isNotEmpty();
    assertThat(html).contains("<meta name=\"viewport\"");
  }
}
