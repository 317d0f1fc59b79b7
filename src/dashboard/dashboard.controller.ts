import { Controller, Get, Header, Redirect } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { DASHBOARD_HTML } from './dashboard-page';

/** The live dashboard at /dashboard (polls the REST API every second). */
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
}
