using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Guichet.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class KnowledgeUi : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<List<string>>(
                name: "Steps",
                table: "KnowledgeArticles",
                type: "text[]",
                nullable: false);

            migrationBuilder.CreateTable(
                name: "TicketStepProgress",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    TicketId = table.Column<long>(type: "bigint", nullable: false),
                    ArticleId = table.Column<long>(type: "bigint", nullable: false),
                    Step = table.Column<int>(type: "integer", nullable: false),
                    ByPersonId = table.Column<long>(type: "bigint", nullable: false),
                    DoneAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_TicketStepProgress", x => x.Id);
                    table.ForeignKey(
                        name: "FK_TicketStepProgress_KnowledgeArticles_ArticleId",
                        column: x => x.ArticleId,
                        principalTable: "KnowledgeArticles",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_TicketStepProgress_Tickets_TicketId",
                        column: x => x.TicketId,
                        principalTable: "Tickets",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_TicketStepProgress_ArticleId",
                table: "TicketStepProgress",
                column: "ArticleId");

            migrationBuilder.CreateIndex(
                name: "IX_TicketStepProgress_TicketId_ArticleId_Step",
                table: "TicketStepProgress",
                columns: new[] { "TicketId", "ArticleId", "Step" },
                unique: true);

            if (migrationBuilder.IsSqlite())
            {
                migrationBuilder.Sql(Guichet.Knowledge.KnowledgeSql.SqliteArticlesUp);
            }
            else if (Microsoft.EntityFrameworkCore.NpgsqlMigrationBuilderExtensions.IsNpgsql(migrationBuilder))
            {
                migrationBuilder.Sql(Guichet.Knowledge.KnowledgeSql.PostgresArticlesUp);
            }
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            if (migrationBuilder.IsSqlite())
            {
                migrationBuilder.Sql(Guichet.Knowledge.KnowledgeSql.SqliteArticlesDown);
            }
            else if (Microsoft.EntityFrameworkCore.NpgsqlMigrationBuilderExtensions.IsNpgsql(migrationBuilder))
            {
                migrationBuilder.Sql(Guichet.Knowledge.KnowledgeSql.PostgresArticlesDown);
            }

            migrationBuilder.DropTable(
                name: "TicketStepProgress");

            migrationBuilder.DropColumn(
                name: "Steps",
                table: "KnowledgeArticles");
        }
    }
}
