import { Injectable, OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { HandlerRegistry } from './handler.registry';
import { TASK_HANDLER, TaskHandlerMetadata } from './task-handler.decorator';
import { TaskHandlerFn } from './task-context';

/** Finds every @TaskHandler method among the app's providers and registers it. */
@Injectable()
export class HandlerExplorer implements OnModuleInit {
  private explored = false;
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
    private readonly registry: HandlerRegistry,
  ) {}

  onModuleInit(): void {
    this.explore();
  }

  /** Registers every handler once; other explorers call it to see the registry complete. */
  explore(): void {
    if (this.explored) return;
    this.explored = true;
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (!instance || typeof instance !== 'object' || !wrapper.isDependencyTreeStatic()) continue;
      const proto = Object.getPrototypeOf(instance);
      for (const name of this.scanner.getAllMethodNames(proto)) {
        const method = instance[name] as TaskHandlerFn;
        const meta = this.reflector.get<TaskHandlerMetadata | undefined>(TASK_HANDLER, method);
        if (!meta) continue;
        this.registry.register(meta.taskType, method.bind(instance), `${proto.constructor.name}.${name}`, meta.options);
      }
    }
  }
}
