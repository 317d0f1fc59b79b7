import { Controller, Get, Header, Redirect } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { DASHBOARD_HTML } from './dashboard-page';
import { DASHBOARD_OPS_SCRIPT } from './dashboard-ops-script';
import { DASHBOARD_SCRIPT } from './dashboard-script';

/** The live dashboard at /dashboard: one page and its two scripts: tasks kept current by SSE, operations panels refreshed. */
@ApiExcludeController()
@Controller()
export class DashboardController {
  @Get()
  @Redirect('/dashboard', 302)
  root() {
    return undefined;
  }

  @Get('dashboard')
  @Header('content-type', 'text/html; charset=utf-8')
  page(): string {
    return DASHBOARD_HTML;
  }

  @Get('dashboard/app.js')
  @Header('content-type', 'text/javascript; charset=utf-8')
  script(): string {
    return DASHBOARD_SCRIPT;
  }

  @Get('dashboard/ops.js')
  @Header('content-type', 'text/javascript; charset=utf-8')
  opsScript(): string {
    return DASHBOARD_OPS_SCRIPT;
  }
}
