package dev.runbook.dsl;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class UrlCredentialsTest {
  @Test
  void masksThePasswordOfEveryUrlAndNothingElse() {
    assertThat(
            UrlCredentials.mask(
                "postgres://app:s3cret@db:5432/app?sslmode=require and"
                    + " https://user:p4ss@example.com/x, ftp://anon@host/ and app:notaurl@host"))
        .isEqualTo(
            "postgres://app:***@db:5432/app?sslmode=require and"
                + " https://user:***@example.com/x, ftp://anon@host/ and app:notaurl@host");
  }

  @Test
  void aPasswordRunsToTheLastAtSignOfTheAuthority() {
    assertThat(UrlCredentials.passwords("mysql://root:p@ss@w0rd@localhost/db"))
        .containsExactly("p@ss@w0rd");
    assertThat(UrlCredentials.mask("mysql://root:p@ss@w0rd@localhost/db"))
        .isEqualTo("mysql://root:***@localhost/db");
  }

  @Test
  void aPercentEncodedPasswordIsFoundAsWrittenAndAsDecoded() {
    assertThat(UrlCredentials.passwords("postgresql://app:p%40ss%20w%C3%B6rd@h/db"))
        .containsExactly("p%40ss%20w%C3%B6rd", "p@ss wörd");
  }

  @Test
  void aUrlWithoutAPasswordHasNone() {
    for (String text :
        new String[] {
          "postgres://app@db/app", "https://example.com:8443/a:b@c", "postgres://app:@db/app", ""
        }) {
      assertThat(UrlCredentials.passwords(text)).as(text).isEmpty();
      assertThat(UrlCredentials.holdsPassword(text)).as(text).isFalse();
      assertThat(UrlCredentials.mask(text)).as(text).isEqualTo(text);
    }
  }

  @Test
  void aMaskedPasswordIsRecognisedAsSuch() {
    assertThat(UrlCredentials.holdsMaskedPassword("postgres://app:***@db/app")).isTrue();
    assertThat(UrlCredentials.holdsMaskedPassword("postgres://app:x***@db/app")).isFalse();
    assertThat(UrlCredentials.holdsMaskedPassword("postgres://app@db/app")).isFalse();
  }
}
