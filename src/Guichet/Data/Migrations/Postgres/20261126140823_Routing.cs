using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Guichet.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class Routing : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Flag",
                table: "Tickets",
                type: "character varying(10)",
                maxLength: 10,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "FlagReason",
                table: "Tickets",
                type: "character varying(2000)",
                maxLength: 2000,
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "FlaggedAt",
                table: "Tickets",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "FlaggedById",
                table: "Tickets",
                type: "bigint",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "AgentSchedules",
                columns: table => new
                {
                    AgentId = table.Column<long>(type: "bigint", nullable: false),
                    Availability = table.Column<string>(type: "character varying(10)", maxLength: 10, nullable: false),
                    AvailabilityChangedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    RosterJson = table.Column<string>(type: "text", nullable: false),
                    SkillsJson = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AgentSchedules", x => x.AgentId);
                    table.ForeignKey(
                        name: "FK_AgentSchedules_Agents_AgentId",
                        column: x => x.AgentId,
                        principalTable: "Agents",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "GroupDistributions",
                columns: table => new
                {
                    GroupId = table.Column<long>(type: "bigint", nullable: false),
                    Mode = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    MaxLoad = table.Column<int>(type: "integer", nullable: true),
                    AlwaysOnDuty = table.Column<bool>(type: "boolean", nullable: false),
                    OffDuty = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    LastAssignedAgentId = table.Column<long>(type: "bigint", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_GroupDistributions", x => x.GroupId);
                    table.ForeignKey(
                        name: "FK_GroupDistributions_Groups_GroupId",
                        column: x => x.GroupId,
                        principalTable: "Groups",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "RoutingRules",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    Name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Position = table.Column<int>(type: "integer", nullable: false),
                    Enabled = table.Column<bool>(type: "boolean", nullable: false),
                    Stop = table.Column<bool>(type: "boolean", nullable: false),
                    ConditionsJson = table.Column<string>(type: "text", nullable: false),
                    ActionsJson = table.Column<string>(type: "text", nullable: false),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RoutingRules", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "TriageSettings",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false),
                    MatrixJson = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    VipRaise = table.Column<int>(type: "integer", nullable: false),
                    ProfessionalRaise = table.Column<int>(type: "integer", nullable: false),
                    MatrixEdited = table.Column<bool>(type: "boolean", nullable: false),
                    MatrixVersion = table.Column<long>(type: "bigint", nullable: false),
                    RulesVersion = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_TriageSettings", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_RoutingRules_Position",
                table: "RoutingRules",
                column: "Position");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "AgentSchedules");

            migrationBuilder.DropTable(
                name: "GroupDistributions");

            migrationBuilder.DropTable(
                name: "RoutingRules");

            migrationBuilder.DropTable(
                name: "TriageSettings");

            migrationBuilder.DropColumn(
                name: "Flag",
                table: "Tickets");

            migrationBuilder.DropColumn(
                name: "FlagReason",
                table: "Tickets");

            migrationBuilder.DropColumn(
                name: "FlaggedAt",
                table: "Tickets");

            migrationBuilder.DropColumn(
                name: "FlaggedById",
                table: "Tickets");
        }
    }
}
