package dev.runbook.runbooks.seqdesk;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One SeqDesk release as the fixture lays it out: package.json, a compiled {@code .next/}, Prisma's
 * {@code prisma/} with its migrations, and {@code public/}; node_modules/ is made from package.json
 * by the fixture's stand-in for {@code npm install}.
 */
record Release(
    String version,
    String buildId,
    Map<String, String> dependencies,
    List<String> migrations,
    List<String> assets) {
  /** The version installed before the update. */
  static final Release V1 =
      new Release(
          "1.4.2",
          "Xq3cbh8KJ2mWbqTjvV1aF",
          deps("next", "14.1.0", "@prisma/client", "5.9.1", "react", "18.2.0"),
          List.of("0001_init", "0002_orders"),
          List.of("logo.svg", "robots.txt", "favicon.ico"));

  /** The version the update brings: new dependencies, a migration, a renamed asset. */
  static final Release V2 =
      new Release(
          "1.5.0",
          "a7Tg0pW3nRkLs9YdQe2Zc",
          deps("next", "14.2.3", "@prisma/client", "5.14.0", "react", "18.3.1", "zod", "3.23.8"),
          List.of("0001_init", "0002_orders", "0003_sequencing_runs"),
          List.of("logo-2024.svg", "robots.txt", "favicon.ico"));

  /** Every migration the fixture knows, by name; the last two are for failure injection. */
  static final Map<String, String> MIGRATIONS =
      Map.of(
          "0001_init",
          """
          CREATE TABLE "User" (id serial PRIMARY KEY, email text NOT NULL UNIQUE, name text);
          CREATE TABLE "Sample" (
            id serial PRIMARY KEY,
            code text NOT NULL UNIQUE,
            owner_id int NOT NULL REFERENCES "User"(id),
            received date NOT NULL
          );
          """,
          "0002_orders",
          """
          CREATE TYPE "OrderStatus" AS ENUM ('DRAFT', 'SUBMITTED', 'COMPLETED');
          CREATE TABLE "Order" (
            id serial PRIMARY KEY,
            sample_id int NOT NULL REFERENCES "Sample"(id),
            status "OrderStatus" NOT NULL DEFAULT 'DRAFT'
          );
          """,
          "0003_sequencing_runs",
          """
          ALTER TABLE "Order" ADD COLUMN platform text;
          CREATE TABLE "SequencingRun" (
            id serial PRIMARY KEY,
            order_id int NOT NULL REFERENCES "Order"(id),
            reads bigint NOT NULL
          );
          CREATE INDEX "SequencingRun_order_id_idx" ON "SequencingRun"(order_id);
          """,
          "0004_pipeline_outputs",
          """
          CREATE TABLE "PipelineOutput" (id serial PRIMARY KEY, path text NOT NULL);
          ALTER TABLE "Sample" ADD COLUMN pipeline_output_id int;
          """,
          "0005_broken",
          """
          UPDATE "Sample" SET pipeline_output_id = (SELECT id FROM "NoSuchTable" LIMIT 1);
          """);

  private static Map<String, String> deps(String... pairs) {
    Map<String, String> map = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      map.put(pairs[i], pairs[i + 1]);
    }
    return map;
  }

  /** Writes this release's files (all but node_modules/) into {@code dir}. */
  void writeTo(Path dir) throws IOException {
    StringBuilder dependencyLines = new StringBuilder();
    int i = 0;
    for (Map.Entry<String, String> e : dependencies.entrySet()) {
      dependencyLines
          .append("    \"")
          .append(e.getKey())
          .append("\": \"")
          .append(e.getValue())
          .append('"')
          .append(++i < dependencies.size() ? ",\n" : "\n");
    }
    write(
        dir.resolve("package.json"),
        "{\n"
            + "  \"name\": \"seqdesk\",\n"
            + "  \"version\": \""
            + version
            + "\",\n"
            + "  \"private\": true,\n"
            + "  \"scripts\": {\n"
            + "    \"start\": \"next start\",\n"
            + "    \"db:migrate:deploy\": \"prisma migrate deploy\"\n"
            + "  },\n"
            + "  \"dependencies\": {\n"
            + dependencyLines
            + "  }\n"
            + "}\n");
    Path next = dir.resolve(".next");
    write(next.resolve("BUILD_ID"), buildId);
    write(
        next.resolve("required-server-files.json"),
        "{\"version\":1,\"config\":{\"distDir\":\".next\"},\"appDir\":\"/opt/seqdesk\"}\n");
    write(next.resolve("server/app/page.js"), "// SeqDesk " + version + ": the dashboard\n");
    write(
        next.resolve("static/chunks/main-" + buildId.substring(0, 8).toLowerCase() + ".js"),
        "self.__SEQDESK_VERSION=\"" + version + "\";\n");
    Path prisma = dir.resolve("prisma");
    write(
        prisma.resolve("schema.prisma"),
        "// SeqDesk " + version + "\ndatasource db {\n  provider = \"postgresql\"\n}\n");
    write(prisma.resolve("migrations/migration_lock.toml"), "provider = \"postgresql\"\n");
    for (String migration : migrations) {
      addMigration(prisma, migration);
    }
    for (String asset : assets) {
      Path file = dir.resolve("public").resolve(asset);
      if (asset.endsWith(".ico")) {
        byte[] icon = new byte[256];
        for (int b = 0; b < icon.length; b++) {
          icon[b] = (byte) (b * 7 + version.length());
        }
        Files.createDirectories(file.getParent());
        Files.write(file, icon);
      } else {
        write(file, asset + " of SeqDesk " + version + "\n");
      }
    }
  }

  /** Adds a migration to a {@code prisma/} directory. */
  static void addMigration(Path prisma, String name) throws IOException {
    write(
        prisma.resolve("migrations").resolve(name).resolve("migration.sql"), MIGRATIONS.get(name));
  }

  static void write(Path file, String text) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, text, StandardCharsets.UTF_8);
  }
}
